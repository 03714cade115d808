import { HubCommand, confirmFlags } from '../../cli/base-command.js';
import { HubError } from '../../lib/errors.js';
import { batchFailure, runBatch } from '../../lib/client/batch.js';
import { deleteGroup } from '../../lib/client/queries.js';
import { outcomeRows, renderOutcomes, type OutcomeRow } from '../../ui/batch-table.js';
import { preview } from '../../ui/format.js';

export default class GroupsRm extends HubCommand<typeof GroupsRm> {
  static override summary = 'Delete groups (the users stay; asks first).';

  static override description = `DELETE /hub/api/groups/NAME for each name. Members lose what the group's roles granted.
On a terminal it asks; elsewhere it needs --answer-yes (or --force).`;

  static override examples = ['<%= config.bin %> groups rm cs101', '<%= config.bin %> groups rm cs101 --answer-yes'];

  static override strict = false;

  static override enableJsonFlag = true;

  static override flags = { ...confirmFlags };

  async run(): Promise<OutcomeRow[]> {
    if (this.argList.length === 0) throw new HubError('USAGE', 'no group names given', { hint: 'hub groups rm NAME...' });
    const client = await this.client();
    await this.confirmAction(`Delete group${this.argList.length === 1 ? '' : 's'} ${preview(this.argList)}?`);
    const results = await runBatch(this.argList, async (name) => {
      await deleteGroup(client, name);
      return 'deleted';
    });
    const rows = outcomeRows(results, (n) => n);
    this.log(renderOutcomes('GROUP', rows, this.width()));
    return this.finishBatch(rows, batchFailure(results, 'deletions'));
  }
}
