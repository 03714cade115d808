/**
 * A spawn step that ran out of time (Spawner.start_timeout, Spawner.http_timeout), told apart from other
 * failures because JupyterHub counts them apart (spawner.failure.timeout / .http_timeout).
 */
export class SpawnTimeoutError extends Error {
  override readonly name = 'SpawnTimeoutError';
}
