import { HubError, formatError, isHubError } from '../errors.js';

/**
 * One action over many targets (users rm a b c, servers stop --idle-for 2h): a few at a time so a thousand
 * targets do not open a thousand requests, every target tried even when some fail, and a result per target
 * for the table and --json alike. The command fails (with the first failure's exit code) if any target did.
 */
export interface BatchResult<T> {
  target: T;
  ok: boolean;
  /** What happened ("stopped", "pending") or, when not ok, the error's first line. */
  result: string;
  error?: unknown;
}

export async function runBatch<T>(targets: T[], action: (t: T) => Promise<string>, concurrency = 8): Promise<BatchResult<T>[]> {
  const results: BatchResult<T>[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const i = next++;
      const target = targets[i] as T;
      try {
        results[i] = { target, ok: true, result: await action(target) };
      } catch (err) {
        results[i] = { target, ok: false, result: formatError(err).split('\n')[0] ?? 'failed', error: err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, targets.length) }, worker));
  return results;
}

/** The error to end with when some targets failed: the first failure's code, and a count in the message. */
export function batchFailure<T>(results: BatchResult<T>[], what: string): HubError | undefined {
  const failed = results.filter((r) => !r.ok);
  const first = failed[0];
  if (!first) return undefined;
  const code = isHubError(first.error) ? first.error.code : 'INTERNAL';
  if (results.length === 1) return isHubError(first.error) ? first.error : new HubError(code, first.result);
  return new HubError(code, `${failed.length} of ${results.length} ${what} failed`);
}
