import { HubCommand, confirmFlags } from '../../cli/base-command.js';
import { namesFileFlag, readNames } from '../../cli/names-input.js';
import { blockUser } from '../../lib/client/queries.js';
import type { OutcomeRow } from '../../ui/batch-table.js';
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
    file: namesFileFlag(),
  };

  async run(): Promise<OutcomeRow[]> {
    const names = await readNames(this.argList, this.flags.file);
    return this.eachUser(names, {
      question: `Block ${preview(names)}, ending their sessions and stopping their servers?`, act: blockUser, done: 'blocked', what: 'blocks',
    });
  }
}
