import { Args } from '@oclif/core';
import { HubCommand } from '../../../cli/base-command.js';
import { namesFileFlag, readNames } from '../../../cli/names-input.js';
import { getGroup, removeMembers } from '../../../lib/client/queries.js';
import type { GroupModel } from '../../../lib/client/models.js';

export default class GroupsMembersRm extends HubCommand<typeof GroupsMembersRm> {
  static override summary = 'Remove users from a group (the users stay).';

  static override description = 'DELETE /hub/api/groups/GROUP/users {"users": [...]}. --json prints the group model afterwards.';

  static override examples = ['<%= config.bin %> groups members rm cs101 bob'];

  static override strict = false;

  static override enableJsonFlag = true;

  static override args = {
    group: Args.string({ description: 'Group name.', required: true }),
  };

  static override flags = {
    file: namesFileFlag('user names'),
  };

  async run(): Promise<GroupModel> {
    const names = await readNames(this.argList.slice(1), this.flags.file);
    const client = await this.client();
    await getGroup(client, this.args.group);
    await removeMembers(client, this.args.group, names);
    const g = await getGroup(client, this.args.group);
    this.log(`${g.name}: removed ${names.length} user${names.length === 1 ? '' : 's'}; ${g.users.length} member${g.users.length === 1 ? '' : 's'}`);
    return g;
  }
}
