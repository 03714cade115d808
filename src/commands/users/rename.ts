import { Args } from '@oclif/core';
import { HubCommand } from '../../cli/base-command.js';
import { patchUser } from '../../lib/client/queries.js';
import type { UserModel } from '../../lib/client/models.js';

export default class UsersRename extends HubCommand<typeof UsersRename> {
  static override summary = 'Rename a user (their servers are stopped first, as JupyterHub does).';

  static override description = 'PATCH /hub/api/users/OLD {"name": NEW}. Fails if NEW exists. --json prints the renamed user model.';

  static override examples = ['<%= config.bin %> users rename bob robert'];

  static override enableJsonFlag = true;

  static override args = {
    old: Args.string({ description: 'Current name.', required: true }),
    new: Args.string({ description: 'New name.', required: true }),
  };

  async run(): Promise<UserModel> {
    const user = await patchUser(await this.client(), this.args.old, { name: this.args.new });
    this.log(`renamed ${this.args.old} to ${user.name}`);
    return user;
  }
}
