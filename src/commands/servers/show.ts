import { Args } from '@oclif/core';
import { HubCommand } from '../../cli/base-command.js';
import { parseServerRef } from '../../cli/server-ref.js';
import { getServer, type ServerRow } from '../../lib/client/queries.js';
import { keyValues, serverName } from '../../ui/columns.js';
import { duration } from '../../ui/format.js';
import { stamp } from '../../ui/table.js';

export default class ServersShow extends HubCommand<typeof ServersShow> {
  static override summary = "Show one server: USER for the default server, USER/NAME for a named one.";

  static override description = 'GET /hub/api/users/USER?include_stopped_servers. --json prints the same row as hub servers ls --json.';

  static override examples = ['<%= config.bin %> servers show alice', '<%= config.bin %> servers show alice/gpu --json'];

  static override enableJsonFlag = true;

  static override args = {
    server: Args.string({ description: 'USER or USER/NAME.', required: true }),
  };

  async run(): Promise<ServerRow> {
    const ref = parseServerRef(this.args.server);
    const s = await getServer(await this.client(), ref.user, ref.name);
    this.log(
      keyValues([
        ['user', s.user],
        ['server', serverName(s.name)],
        ['state', s.state],
        ['url', s.url || '-'],
        ['started', stamp(s.started)],
        ['last activity', stamp(s.last_activity, 'never')],
        ['uptime', duration(s.uptime_seconds)],
      ]),
    );
    return s;
  }
}
