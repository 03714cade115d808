import { HubCommand } from '../../cli/base-command.js';
import { HubError } from '../../lib/errors.js';
import { batchFailure, runBatch } from '../../lib/client/batch.js';
import { createGroup } from '../../lib/client/queries.js';
import { outcomeRows, renderOutcomes, type OutcomeRow } from '../../ui/batch-table.js';

export default class GroupsAdd extends HubCommand<typeof GroupsAdd> {
  static override summary = 'Create groups; existing ones are left as they are.';

  static override description = 'POST /hub/api/groups/NAME for each name. Add members with hub groups members add, or hub users add --group.';

  static override examples = ['<%= config.bin %> groups add cs101', '<%= config.bin %> groups add cs101 cs102 staff'];

  static override strict = false;

  static override enableJsonFlag = true;

  async run(): Promise<OutcomeRow[]> {
    const names = this.argList.map((n) => n.trim()).filter((n) => n !== '');
    if (names.length === 0) throw new HubError('USAGE', 'no group names given', { hint: 'hub groups add NAME...' });
    const client = await this.client();
    const results = await runBatch(names, async (name) => ((await createGroup(client, name)) ? 'created' : 'exists'));
    const rows = outcomeRows(results, (n) => n);
    this.log(renderOutcomes('GROUP', rows, this.width()));
    return this.finishBatch(rows, batchFailure(results, 'groups'));
  }
}
