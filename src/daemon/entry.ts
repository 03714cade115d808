/**
 * The one module the CLI may load from the daemon side, lazily, for the commands that work on the hub's own
 * state rather than through the control socket: `start` (runs the daemon in this process), `upgrade-db` and
 * `reset-db` (which, like JupyterHub's, work on the database directly and must not run beside a live hub).
 */
export { runDaemon, type DaemonArgs, type ParentMessage } from './main.js';
export { upgradeDatabase, resetDatabase, databaseStatus, type DbTaskArgs } from './db-tasks.js';
