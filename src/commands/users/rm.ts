import { HubCommand, confirmFlags } from '../../cli/base-command.js';
import { readNames } from '../../cli/names-input.js';
import { Flags } from '@oclif/core';
import { batchFailure, runBatch } from '../../lib/client/batch.js';
import { deleteUser } from '../../lib/client/queries.js';
import { outcomeRows, renderOutcomes, type OutcomeRow } from '../../ui/batch-table.js';
import { preview } from '../../ui/format.js';

export default class UsersRm extends HubCommand<typeof UsersRm> {
  static override summary = 'Delete users: their servers are stopped, their tokens and records removed (asks first).';

  static override description = `DELETE /hub/api/users/NAME for each name, a few at a time; every name is tried, and the command fails if any did.
On a terminal it asks; elsewhere it needs --answer-yes (or --force).`;

  static override examples = ['<%= config.bin %> users rm bob', '<%= config.bin %> users rm --file leavers.txt --answer-yes'];

  static override strict = false;

  static override enableJsonFlag = true;

  static override flags = {
    ...confirmFlags,
    file: Flags.string({ char: 'f', summary: 'Read names from this file, one a line (- for stdin).' }),
  };

  async run(): Promise<OutcomeRow[]> {
    const names = await readNames(this.argList, this.flags.file);
    const client = await this.client();
    await this.confirmAction(`Delete ${names.length === 1 ? 'user' : `${names.length} users`} ${preview(names)}, stopping their servers?`);
    const results = await runBatch(names, async (name) => {
      await deleteUser(client, name);
      return 'deleted';
    });
    const rows = outcomeRows(results, (n) => n);
    this.log(renderOutcomes('USER', rows, this.width()));
    return this.finishBatch(rows, batchFailure(results, 'deletions'));
  }
}
