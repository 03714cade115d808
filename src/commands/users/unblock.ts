import { Flags } from '@oclif/core';
import { HubCommand } from '../../cli/base-command.js';
import { readNames } from '../../cli/names-input.js';
import { batchFailure, runBatch } from '../../lib/client/batch.js';
import { unblockUser } from '../../lib/client/queries.js';
import { outcomeRows, renderOutcomes, type OutcomeRow } from '../../ui/batch-table.js';

export default class UsersUnblock extends HubCommand<typeof UsersUnblock> {
  static override summary = 'Unblock users: they may log in and start servers again.';

  static override description = 'DELETE /hub/ext/users/NAME/block (hub\'s own endpoint). Unblocking a user who is not blocked succeeds.';

  static override examples = ['<%= config.bin %> users unblock mallory'];

  static override strict = false;

  static override enableJsonFlag = true;

  static override flags = {
    file: Flags.string({ char: 'f', summary: 'Read names from this file, one a line (- for stdin).' }),
  };

  async run(): Promise<OutcomeRow[]> {
    const names = await readNames(this.argList, this.flags.file);
    const client = await this.client();
    const results = await runBatch(names, async (name) => {
      await unblockUser(client, name);
      return 'unblocked';
    });
    const rows = outcomeRows(results, (n) => n);
    this.log(renderOutcomes('USER', rows, this.width()));
    return this.finishBatch(rows, batchFailure(results, 'unblocks'));
  }
}
