import { Args } from '@oclif/core';
import { HubCommand } from '../../../cli/base-command.js';
import { namesFileFlag, readNames } from '../../../cli/names-input.js';
import { addMembers, getGroup } from '../../../lib/client/queries.js';
import type { GroupModel } from '../../../lib/client/models.js';

export default class GroupsMembersAdd extends HubCommand<typeof GroupsMembersAdd> {
  static override summary = 'Add users to a group (from arguments, a file, or stdin).';

  static override description = 'POST /hub/api/groups/GROUP/users {"users": [...]} in one request. The users must exist. --json prints the group model.';

  static override examples = ['<%= config.bin %> groups members add cs101 alice bob', '<%= config.bin %> groups members add cs101 --file students.txt'];

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
    const g = await addMembers(client, this.args.group, names);
    this.log(`${g.name}: added ${names.length} user${names.length === 1 ? '' : 's'}; ${g.users.length} member${g.users.length === 1 ? '' : 's'}`);
    return g;
  }
}
