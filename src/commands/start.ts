import { existsSync } from 'node:fs';
import path from 'node:path';
import { Flags } from '@oclif/core';
import { HubCommand } from '../cli/base-command.js';
import { writeDefaultConfig } from '../cli/write-config.js';
import { configFileOverride, SEARCH_PLACES } from '../lib/config/index.js';

const GENERATE_CONFIG = /^\s*JupyterHub\.generate_config\s*=\s*(true|1|yes|"true")\s*$/i;

/** JupyterHub.answer_yes given with --set (the last one wins), for --generate-config, which reads no config file. */
function answerYesOverride(sets: readonly string[]): boolean {
  const last = sets.filter((o) => /^\s*JupyterHub\.answer_yes\s*=/.test(o)).at(-1);
  return last !== undefined && /=\s*(true|1|yes|"true")\s*$/i.test(last);
}

/** The config file `--generate-config` would overwrite: hub's own found here (never a jupyterhub_config.py). */
function findLocalConfig(): string | undefined {
  return SEARCH_PLACES.find((name) => !name.endsWith('.py') && existsSync(name));
}
import { confirm } from '../ui/confirm.js';
import { startDetached } from '../cli/detach.js';

export default class Start extends HubCommand<typeof Start> {
  static override summary = 'Start the hub daemon (in the foreground, as systemd expects, or with --detach).';

  static override description = `Starts the hub: loads the config, opens the database (creating it if empty), loads the cookie secret, starts the API and the control socket, and reports ready (to systemd with Type=notify, via $NOTIFY_SOCKET).
Logs go to stderr, formatted by JupyterHub.log_level, log_format and log_datefmt. SIGTERM or SIGINT stop it gracefully; a second signal forces.
With --detach it starts in the background, waits until it is ready, prints where it listens and exits 0, or prints the daemon's error and exits non-zero.
Any option can be set for this run with --set Section.option=value (e.g. --set JupyterHub.hub_port=8082).`;

  static override examples = [
    '<%= config.bin %> start',
    '<%= config.bin %> start -c /etc/hub/hub.yml --answer-yes',
    '<%= config.bin %> start --detach --log-file /var/log/hub.log',
    '<%= config.bin %> start --port 8000 --set JupyterHub.hub_port=8082 --set Authenticator.admin_users=\'["alice"]\'',
  ];

  static override flags = {
    detach: Flags.boolean({ char: 'd', summary: 'Start in the background; return when the hub is ready.' }),
    'log-file': Flags.string({ summary: 'With --detach: where the daemon logs (default .hub/hub.log beside the database).' }),
    'answer-yes': Flags.boolean({ char: 'y', summary: 'Answer yes to every question (JupyterHub.answer_yes), e.g. to confirm reset_db.' }),
    set: Flags.string({ summary: 'Set a config option for this run: Section.option=value (repeatable).', multiple: true, default: [] }),
    port: Flags.integer({ summary: 'Public port (JupyterHub.port).' }),
    ip: Flags.string({ summary: 'Public IP (JupyterHub.ip).' }),
    'base-url': Flags.string({ summary: 'URL prefix of the whole hub (JupyterHub.base_url).' }),
    db: Flags.string({ summary: 'Database URL (JupyterHub.db_url), e.g. sqlite:///hub.sqlite.' }),
    'log-level': Flags.string({ summary: 'Log level (JupyterHub.log_level): DEBUG, INFO, WARN, ERROR, CRITICAL.' }),
    'upgrade-db': Flags.boolean({ summary: 'Upgrade an out-of-date database schema before starting (JupyterHub.upgrade_db).' }),
    'pid-file': Flags.string({ summary: 'Write the daemon pid here (JupyterHub.pid_file).' }),
  };

  async run(): Promise<void> {
    const f = this.flags;
    const overrides = [...f.set];
    if (f.port !== undefined) overrides.push(`JupyterHub.port=${f.port}`);
    if (f.ip !== undefined) overrides.push(`JupyterHub.ip=${f.ip}`);
    if (f['base-url'] !== undefined) overrides.push(`JupyterHub.base_url=${f['base-url']}`);
    if (f.db !== undefined) overrides.push(`JupyterHub.db_url=${f.db}`);
    if (f['log-level'] !== undefined) overrides.push(`JupyterHub.log_level=${f['log-level']}`);
    else if (f.debug) overrides.push('JupyterHub.log_level=DEBUG');
    if (f['upgrade-db']) overrides.push('JupyterHub.upgrade_db=true');
    if (f['pid-file'] !== undefined) overrides.push(`JupyterHub.pid_file=${f['pid-file']}`);

    // JupyterHub's --generate-config: write the default config file (--config, JupyterHub.config_file, the file
    // found here, else hub.yml) and exit without starting. Given on the command line, the file need not exist yet.
    if (f.set.some((o) => GENERATE_CONFIG.test(o))) return this.generateConfig(f.config ?? configFileOverride(f.set) ?? findLocalConfig(), f['answer-yes'] || answerYesOverride(f.set));
    const loaded = await this.hubConfig(overrides);
    let answerYes = f['answer-yes'] || loaded.config.JupyterHub.answer_yes;
    if (loaded.config.JupyterHub.generate_config) return this.generateConfig(loaded.filepath ?? undefined, answerYes);
    if (loaded.config.JupyterHub.reset_db && !answerYes) {
      await confirm('JupyterHub.reset_db is set: delete every user, token and server record in the database?', { answerYes });
      answerYes = true;
    }

    if (f.detach) {
      const status = await startDetached({ root: this.config.root, argv: this.argv, answerYes, logFile: f['log-file'], loaded, socketFlag: f.socket });
      this.log(`hub started in the background (pid ${status.pid})`);
      this.log(`  public URL:     ${status.public_url}`);
      this.log(`  API:            ${status.hub_url}`);
      this.log(`  control socket: ${status.socket}`);
      this.log(`  log file:       ${status.logFile}`);
      return;
    }
    const { runDaemon } = await import('../daemon/entry.js');
    const code = await runDaemon({ configPath: f.config, overrides, socket: f.socket, answerYes, cwd: process.cwd(), env: process.env });
    process.exitCode = code;
  }

  private async generateConfig(file: string | undefined, answerYes: boolean): Promise<void> {
    const out = path.resolve(file ?? 'hub.yml');
    await writeDefaultConfig(out, answerYes);
    this.logToStderr(`Writing default config to: ${out}`);
  }
}
