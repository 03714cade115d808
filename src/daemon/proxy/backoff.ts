/**
 * Exponential backoff with full jitter, as JupyterHub's utils.exponential_backoff (start 0.2 s, x2, at most
 * 5 s per wait): a fleet of callers retrying the same proxy spreads out instead of arriving in waves.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface BackoffOptions {
  /** Give up once this much time has passed since the first attempt. */
  deadlineMs: number;
  startMs?: number;
  factor?: number;
  maxMs?: number;
  /** Full jitter by default; tests and readiness polls pass `() => 1` for the plain exponential series. */
  random?: () => number;
}

/**
 * Runs `attempt` until it succeeds, retrying while `retryable(err)` and time remains. The last error is
 * rethrown as is, so the caller can say what kept failing.
 */
export async function retryWithBackoff<T>(attempt: () => Promise<T>, retryable: (err: unknown) => boolean, opts: BackoffOptions): Promise<T> {
  const started = Date.now();
  const random = opts.random ?? Math.random;
  let ceiling = opts.startMs ?? 200;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      const left = opts.deadlineMs - (Date.now() - started);
      if (!retryable(err) || left <= 0) throw err;
      await sleep(Math.min(left, Math.max(1, ceiling * random())));
      ceiling = Math.min(ceiling * (opts.factor ?? 2), opts.maxMs ?? 5000);
    }
  }
}
