/**
 * The proxy's process entry: `node dist/src/daemon/proxy/proxy-main.js [CHP flags]`, with the API token in
 * CONFIGPROXY_AUTH_TOKEN (never on the command line, where `ps` shows it to everyone). A process entry, like
 * daemon/main.ts, so it is allowed to end the process. It logs one line when it is up and never the token.
 */
import { unlinkSync, writeFileSync } from 'node:fs';
import { HubError, exitCodeFor, formatError, isHubError } from '../../lib/errors.js';
import { LOG_LEVELS, createLogger, type LogLevelName, type Logger } from '../../lib/log.js';
import { USAGE, parseProxyArgs, type ProxyLogLevel } from './proxy-cli.js';
import { startProxy, type RunningProxy } from './proxy-runtime.js';

const LEVELS: Record<ProxyLogLevel, LogLevelName> = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' };

function makeLogger(level: ProxyLogLevel): Logger {
  // CHP's line shape (`18:22:24.212 [ConfigProxy] info: ...`), so whoever reads JupyterHub's logs sees no change.
  return createLogger({
    level: LOG_LEVELS[LEVELS[level]],
    format: '%(asctime)s.%(msecs).03d [%(name)s] %(levelname)s: %(message)s',
    datefmt: '%H:%M:%S',
    name: 'ConfigProxy',
    color: process.stderr.isTTY === true,
  });
}

function writePidFile(file: string, log: Logger): void {
  try {
    writeFileSync(file, String(process.pid), { mode: 0o644 });
  } catch (err) {
    throw new HubError('IO_ERROR', `cannot write pid file ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  process.on('exit', () => {
    try {
      unlinkSync(file);
    } catch {
      log.debug(`pid file ${file} already removed`);
    }
  });
}

function closeOnSignals(running: RunningProxy, log: Logger): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (closing) {
      // A second signal means "now": skip the grace period.
      process.exit(1);
    }
    closing = true;
    log.info(`${signal} received, closing the proxy`);
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error(`error while closing: ${formatError(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // Without a listener Node opens its inspector on SIGUSR1, for any local account to run code as the proxy.
  process.on('SIGUSR1', () => log.info(`SIGUSR1 received: proxying ${running.describe} (pid ${process.pid})`));
}

async function main(argv: string[]): Promise<void> {
  // When the hub that started us is gone, our stdout/stderr pipes may be too; the proxy must keep serving
  // (cleanup_proxy: false) rather than die of EPIPE while logging.
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
  const config = parseProxyArgs(argv);
  if (config === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const log = makeLogger(config.logLevel);
  const authToken = process.env.CONFIGPROXY_AUTH_TOKEN || undefined;
  if (authToken === undefined) log.warn('REST API is not authenticated: CONFIGPROXY_AUTH_TOKEN is not set.');
  const running = await startProxy(config, { log, authToken, sslKeyPassphrase: process.env.CONFIGPROXY_SSL_KEY_PASSPHRASE });
  if (config.pidFile !== undefined) writePidFile(config.pidFile, log);
  closeOnSignals(running, log);
  // Like CHP once set up: a bug in one request must not cut every user's connection.
  process.on('uncaughtException', (err) => log.error(`uncaught exception: ${err.stack ?? err.message}`));
  log.info(`Proxying ${running.describe} (pid ${process.pid})`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.stderr.write(`proxy: ${formatError(err)}\n`);
  if (!isHubError(err) && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(exitCodeFor(err));
});
