import { Args, Flags } from '@oclif/core';
import { HubCommand } from '../../cli/base-command.js';
import { patchUser } from '../../lib/client/queries.js';
import type { UserModel } from '../../lib/client/models.js';

export default class UsersAdmin extends HubCommand<typeof UsersAdmin> {
  static override summary = "Grant (--on) or take away (--off) a user's admin flag.";

  static override description = `PATCH /hub/api/users/NAME {"admin": true|false}. Admins listed in Authenticator.admin_users get the flag back at the next start.`;

  static override examples = ['<%= config.bin %> users admin alice --on', '<%= config.bin %> users admin bob --off'];

  static override enableJsonFlag = true;

  static override args = {
    name: Args.string({ description: 'User name.', required: true }),
  };

  static override flags = {
    on: Flags.boolean({ summary: 'Make the user an admin.', exactlyOne: ['on', 'off'] }),
    off: Flags.boolean({ summary: 'Make the user a regular user.', exactlyOne: ['on', 'off'] }),
  };

  async run(): Promise<UserModel> {
    const user = await patchUser(await this.client(), this.args.name, { admin: this.flags.on === true });
    this.log(`${user.name} is ${user.admin ? 'now an admin' : 'no longer an admin'}`);
    return user;
  }
}
