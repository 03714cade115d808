import { HubCommand } from '../../cli/base-command.js';
import { namesFileFlag, readNames } from '../../cli/names-input.js';
import { unblockUser } from '../../lib/client/queries.js';
import type { OutcomeRow } from '../../ui/batch-table.js';

export default class UsersUnblock extends HubCommand<typeof UsersUnblock> {
  static override summary = 'Unblock users: they may log in and start servers again.';

  static override description = 'DELETE /hub/ext/users/NAME/block (hub\'s own endpoint). Unblocking a user who is not blocked succeeds.';

  static override examples = ['<%= config.bin %> users unblock mallory'];

  static override strict = false;

  static override enableJsonFlag = true;

  static override flags = {
    file: namesFileFlag(),
  };

  async run(): Promise<OutcomeRow[]> {
    return this.eachUser(await readNames(this.argList, this.flags.file), { act: unblockUser, done: 'unblocked', what: 'unblocks' });
  }
}
