import { Flags } from '@oclif/core';
import { HubCommand } from '../../cli/base-command.js';
import { namesFileFlag, readNames } from '../../cli/names-input.js';
import { addMembers, createUsers, getGroup } from '../../lib/client/queries.js';
import { renderTable } from '../../ui/table.js';

interface AddedUser {
  name: string;
  result: 'created' | 'exists';
  group: string | null;
}

export default class UsersAdd extends HubCommand<typeof UsersAdd> {
  static override summary = 'Add users (from arguments, a file, or stdin); existing users are left as they are.';

  static override description = `POST /hub/api/users with every name in one request (JupyterHub creates the new ones and skips the rest), then POST /hub/api/groups/GROUP/users for --group.
Names come from the arguments, --file FILE (one a line, # comments) or stdin (- as an argument or --file -). The group must exist (hub groups add GROUP).`;

  static override examples = [
    '<%= config.bin %> users add alice bob',
    '<%= config.bin %> users add --file students.txt --group cs101',
    'cut -d, -f1 roster.csv | <%= config.bin %> users add - --group cs101',
    '<%= config.bin %> users add carol --admin',
  ];

  static override strict = false;

  static override enableJsonFlag = true;

  static override flags = {
    admin: Flags.boolean({ summary: 'Make the new users admins.' }),
    group: Flags.string({ char: 'g', summary: 'Also add every named user (new or existing) to this group.' }),
    file: namesFileFlag(),
  };

  async run(): Promise<AddedUser[]> {
    const names = await readNames(this.argList, this.flags.file);
    const client = await this.client();
    // Check the group before creating anyone: a typo must not leave 200 users created and none in the group.
    if (this.flags.group !== undefined) await getGroup(client, this.flags.group);
    const { created } = await createUsers(client, names, this.flags.admin);
    if (this.flags.group !== undefined) await addMembers(client, this.flags.group, names);
    const made = new Set(created.map((u) => u.name));
    const rows: AddedUser[] = names.map((name) => ({
      name,
      result: made.has(name) ? 'created' : 'exists',
      group: this.flags.group ?? null,
    }));
    this.log(
      renderTable(
        [
          { header: 'NAME', get: (r: AddedUser) => r.name, shrink: true },
          { header: 'RESULT', get: (r) => r.result },
          { header: 'GROUP', get: (r) => r.group ?? '' },
        ],
        rows,
        this.width(),
      ),
    );
    this.log(`${created.length} created, ${names.length - created.length} already existed${this.flags.group ? `; all ${names.length} in group ${this.flags.group}` : ''}`);
    return rows;
  }
}
