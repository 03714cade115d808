import { HubCommand, confirmFlags } from '../cli/base-command.js';
import { confirm } from '../ui/confirm.js';

export default class ResetDb extends HubCommand<typeof ResetDb> {
  static override summary = 'Delete everything in the database and recreate the schema (asks first).';

  static override description = `Drops every hub table in JupyterHub.db_url and creates them again, empty: all users, groups, roles, tokens and server records are gone. Refuses while a hub runs on this database.
On a terminal it asks; elsewhere it needs --answer-yes.`;

  static override examples = ['<%= config.bin %> reset-db', '<%= config.bin %> reset-db -c hub.yml --answer-yes'];

  static override flags = { ...confirmFlags };

  async run(): Promise<void> {
    const loaded = await this.hubConfig();
    const { resetDatabase } = await import('../daemon/entry.js');
    await confirm(`Delete every user, group, token and server record in ${loaded.config.JupyterHub.db_url}?`, { answerYes: this.flags['answer-yes'] });
    const r = await resetDatabase({ configPath: this.flags.config, overrides: [], socket: this.flags.socket, cwd: process.cwd(), env: process.env });
    this.log(`${r.url}: reset; the schema is recreated and empty`);
  }
}
