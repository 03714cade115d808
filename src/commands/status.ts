import { HubCommand } from '../cli/base-command.js';
import type { DaemonStatusModel } from '../lib/client/models.js';
import { asDaemonStatus } from '../lib/client/models.js';

export default class Status extends HubCommand<typeof Status> {
  static override summary = 'Show whether the hub runs, and where: pid, version, API URL, control socket, database.';

  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json'];

  static override enableJsonFlag = true;

  async run(): Promise<DaemonStatusModel> {
    const client = await this.client();
    const s = asDaemonStatus(await client.get('/hub/ext/status'));
    this.log(`hub ${s.version} is running (pid ${s.pid}, since ${s.started})`);
    this.log(`  API:            ${s.hub_url}`);
    this.log(`  public URL:     ${s.public_url}`);
    this.log(`  control socket: ${s.socket}`);
    this.log(`  database:       ${s.db_url}`);
    this.log(`  config file:    ${s.config_file ?? '(none; defaults)'}`);
    return s;
  }
}
