import { HubCommand } from '../cli/base-command.js';

export default class UpgradeDb extends HubCommand<typeof UpgradeDb> {
  static override summary = "Upgrade the database schema to this hub's version (backs up SQLite files first).";

  static override description = `Applies pending schema migrations to JupyterHub.db_url. A SQLite file is first copied to <db>.YYYY-MM-DD-HHMMSS, as JupyterHub's upgrade-db does; back up PostgreSQL yourself.
A database created by JupyterHub 3.0 (alembic revision 651f5419b74d) is adopted with its users, groups, roles and API tokens.`;

  static override examples = ['<%= config.bin %> upgrade-db', '<%= config.bin %> upgrade-db -c /etc/hub/hub.yml --json'];

  static override enableJsonFlag = true;

  async run(): Promise<object> {
    const { upgradeDatabase } = await import('../daemon/entry.js');
    const r = await upgradeDatabase({ configPath: this.flags.config, overrides: [], socket: this.flags.socket, cwd: process.cwd(), env: process.env });
    if (r.applied.length === 0) this.log(`${r.url}: already up to date`);
    else {
      if (r.backup) this.log(`backed up the database to ${r.backup}`);
      this.log(`${r.url}: applied ${r.applied.join(', ')}`);
    }
    return r;
  }
}
