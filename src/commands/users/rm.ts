import { HubCommand, confirmFlags } from '../../cli/base-command.js';
import { namesFileFlag, readNames } from '../../cli/names-input.js';
import { deleteUser } from '../../lib/client/queries.js';
import type { OutcomeRow } from '../../ui/batch-table.js';
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
    file: namesFileFlag(),
  };

  async run(): Promise<OutcomeRow[]> {
    const names = await readNames(this.argList, this.flags.file);
    return this.eachUser(names, {
      question: `Delete ${names.length === 1 ? 'user' : `${names.length} users`} ${preview(names)}, stopping their servers?`, act: deleteUser, done: 'deleted', what: 'deletions',
    });
  }
}
