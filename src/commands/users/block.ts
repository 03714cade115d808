import { Flags } from '@oclif/core';
import { HubCommand, confirmFlags } from '../../cli/base-command.js';
import { readNames } from '../../cli/names-input.js';
import { batchFailure, runBatch } from '../../lib/client/batch.js';
import { blockUser } from '../../lib/client/queries.js';
import { outcomeRows, renderOutcomes, type OutcomeRow } from '../../ui/batch-table.js';
import { preview } from '../../ui/format.js';

export default class UsersBlock extends HubCommand<typeof UsersBlock> {
  static override summary = "Block users: their sessions end and their servers stop at once, and they cannot log in (asks first).";

  static override description = `POST /hub/ext/users/NAME/block (hub's own endpoint; JupyterHub has none). Undo with hub users unblock.
On a terminal it asks; elsewhere it needs --answer-yes (or --force).`;

  static override examples = ['<%= config.bin %> users block mallory', '<%= config.bin %> users block --file suspended.txt --answer-yes'];

  static override strict = false;

  static override enableJsonFlag = true;

  static override flags = {
    ...confirmFlags,
    file: Flags.string({ char: 'f', summary: 'Read names from this file, one a line (- for stdin).' }),
  };

  async run(): Promise<OutcomeRow[]> {
    const names = await readNames(this.argList, this.flags.file);
    const client = await this.client();
    await this.confirmAction(`Block ${preview(names)}, ending their sessions and stopping their servers?`);
    const results = await runBatch(names, async (name) => {
      await blockUser(client, name);
      return 'blocked';
    });
    const rows = outcomeRows(results, (n) => n);
    this.log(renderOutcomes('USER', rows, this.width()));
    return this.finishBatch(rows, batchFailure(results, 'blocks'));
  }
}
