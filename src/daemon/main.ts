import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type LoadedConfig } from '../lib/config/index.js';
import { isHubError, type ErrorCode } from '../lib/errors.js';
import { createLogger, logSinks, type Logger } from '../lib/log.js';
import { resolveSocketPath } from '../lib/paths.js';
import { Hub } from './hub.js';
import { dbFailure } from './db/db-errors.js';
import { sdNotify } from './sd-notify.js';
import { InternalSsl } from './ssl/internal-ssl.js';
import { describeEntry } from './ssl/ssl-report.js';

/**
 * The daemon process: load config, build the hub, start it, report readiness (stderr, systemd, and the
 * parent of `hub start --detach` over IPC), stop on SIGTERM/SIGINT in reverse order; a second signal forces.
 * This module and bin/ are the only places that end the process.
 */
export interface DaemonArgs {
  configPath?: string | undefined;
  overrides: string[];
  socket?: string | undefined;
  answerYes: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export type ParentMessage = { type: 'ready'; status: unknown } | { type: 'error'; message: string; hint?: string; code: ErrorCode };

function tellParent(msg: ParentMessage): void {
  if (process.send && process.connected) process.send(msg);
}

export function makeLogger(loaded: LoadedConfig, cwd: string): Logger {
  const jh = loaded.config.JupyterHub;
  const extra = jh.extra_log_file ? path.resolve(cwd, jh.extra_log_file) : '';
  return createLogger({
    level: jh.log_level,
    format: jh.log_format,
    datefmt: jh.log_datefmt,
    color: process.stderr.isTTY === true,
    handlers: logSinks(jh.extra_log_handlers),
    write: (line) => {
      process.stderr.write(line + '\n');
      // eslint-disable-next-line no-control-regex -- strips the terminal colour codes from the file copy
      if (extra) appendFileSync(extra, line.replace(/\x1b\[[0-9;]*m/g, '') + '\n', { mode: 0o600 });
    },
  });
}

export async function runDaemon(args: DaemonArgs): Promise<number> {
  // Signals are ours from the first moment: a SIGTERM during start-up stops the hub once start() has
  // settled, instead of killing the process half-way (Node's default) and leaving a socket behind.
  const signals = new SignalLatch();
  // A log reader that goes away (`hub start 2>&1 | head`, a pipe to a logger that exits) must not take the hub
  // down, leaving its proxy and servers orphaned: Node raises EPIPE as an uncaught 'error'. JupyterHub's logging
  // drops such writes too.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', ignoreStreamError);
  try {
    const loaded = await loadConfig({ path: args.configPath, cwd: args.cwd, env: args.env, overrides: args.overrides });
    const log = makeLogger(loaded, args.cwd);
    signals.log = log;
    log.info(loaded.filepath === null ? 'No config file found: every option has its default' : `Loaded config file: ${loaded.filepath}`);
    for (const w of loaded.warnings) log.warn(w);
    for (const n of loaded.notices) log.info(n);
    if (loaded.config.JupyterHub.generate_certs) return await generateCertsAndExit(loaded, args.cwd, log);
    const socket = resolveSocketPath({ flag: args.socket, env: args.env, configured: loaded.config.Hub.control_socket, dbUrl: loaded.config.JupyterHub.db_url, cwd: args.cwd });
    const hub = new Hub({ loaded, cwd: args.cwd, socketPath: socket.path, answerYes: args.answerYes, env: args.env, log, requestStop: (why, code) => signals.request(why, code) });
    signals.status = () => hub.statusReport();
    const status = await hub.start();
    await sdNotify({ READY: '1', STATUS: `serving ${status.hub_url}` }, log, args.env);
    tellParent({ type: 'ready', status });
    const stop = await signals.first;
    log.info(`${stop.why}: shutting down (send SIGTERM again to force)`);
    await sdNotify({ STOPPING: '1' }, log, args.env);
    await hub.stop();
    if (stop.code === 0) log.info('hub stopped cleanly');
    // JupyterHub exits 1 after consecutive_failure_limit, so that a supervisor (systemd Restart=on-failure) starts it again.
    else log.error(`hub stopped (${stop.why}); exiting with status ${stop.code}`);
    return stop.code;
  } catch (caught) {
    // A read-only, locked or missing database at start: what to fix, not "a bug in hub" with the SQL.
    const err = dbFailure(caught) ?? caught;
    if (isHubError(err)) tellParent({ type: 'error', message: err.message, code: err.code, ...(err.hint ? { hint: err.hint } : {}) });
    else tellParent({ type: 'error', message: err instanceof Error ? err.message : String(err), code: 'INTERNAL' });
    throw err;
  } finally {
    signals.dispose();
  }
}

function ignoreStreamError(): void {
  // Nowhere left to report it.
}

/** JupyterHub's generate_certs: create (or reuse) the internal-ssl store, say what was done, and exit. */
async function generateCertsAndExit(loaded: LoadedConfig, cwd: string, log: Logger): Promise<number> {
  const jh = loaded.config.JupyterHub;
  const store = await InternalSsl.init({
    location: jh.internal_certs_location, cwd, trustedAltNames: jh.trusted_alt_names, recreate: jh.recreate_internal_certs,
    externalAuthorities: jh.external_ssl_authorities, subdomainHost: jh.subdomain_host, log: log.child('ssl'),
  });
  for (const entry of store.report) log.info(describeEntry(entry));
  if (!jh.internal_ssl) log.warn("You'll need to enable internal_ssl (JupyterHub.internal_ssl: true) to use these certificates.");
  log.info(`Certificates written to directory \`${store.dir}\``);
  return 0;
}

/** Why the daemon stops, and the exit status it stops with. */
interface StopReason {
  why: string;
  code: number;
}

/**
 * The first SIGTERM/SIGINT (or a request from the hub: the API's shutdown, consecutive_failure_limit) resolves
 * `first`; a second signal ends the process at once.
 */
class SignalLatch {
  readonly first: Promise<StopReason>;
  log: Logger | undefined;
  /** What SIGUSR1 logs (JupyterHub's log_status): set once the hub exists. */
  status: (() => string) | undefined;
  private received = false;
  private resolve: (s: StopReason) => void = () => undefined;
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (this.received) {
      this.log?.warn(`${signal} again: exiting now without finishing the shutdown`);
      process.exit(1);
    }
    this.request(`${signal} received`, 0);
  };
  private readonly onHup = (): void => this.log?.info('SIGHUP ignored (config reload is not supported; restart the hub)');
  // Node's default for SIGUSR1 opens its inspector on 127.0.0.1:9229, where any local account (a notebook user
  // too) could run code as the hub. A listener turns that off; JupyterHub answers SIGUSR1 with a status report.
  private readonly onUsr1 = (): void => this.log?.warn(`Received signal SIGUSR1: ${this.status?.() ?? 'the hub is starting'}`);

  constructor() {
    this.first = new Promise((resolve) => (this.resolve = resolve));
    process.on('SIGTERM', this.onSignal);
    process.on('SIGINT', this.onSignal);
    // A detached daemon must not die with the terminal that started it.
    process.on('SIGHUP', this.onHup);
    process.on('SIGUSR1', this.onUsr1);
  }

  /** Stop as the first signal would; later requests change nothing. */
  request(why: string, code: number): void {
    if (this.received) return;
    this.received = true;
    this.resolve({ why, code });
  }

  dispose(): void {
    process.off('SIGTERM', this.onSignal);
    process.off('SIGINT', this.onSignal);
    process.off('SIGHUP', this.onHup);
    process.off('SIGUSR1', this.onUsr1);
  }
}
