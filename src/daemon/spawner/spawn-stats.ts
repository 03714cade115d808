/**
 * Spawn pressure, as the dashboards show it: what happened in the last minutes (spawns requested, ready,
 * failed, refused with 429) and how long spawns took to get ready. Kept as a ring of per-minute buckets plus the
 * recent durations, so a snapshot costs the same with 10 or 10,000 users.
 */
const MINUTES = 30;
const DURATIONS = 500;

interface Bucket {
  minute: number;
  requested: number;
  ready: number;
  failed: number;
  throttled: number;
  stopped: number;
}

export interface SpawnStatsSnapshot {
  window_minutes: number;
  spawns_per_minute: number;
  ready_p50_seconds: number | null;
  ready_p95_seconds: number | null;
  throttled_last_5m: number;
  failed_last_5m: number;
  /** Oldest first, one entry per minute, MINUTES long. */
  history: { minute: string; requested: number; ready: number; failed: number; throttled: number; stopped: number }[];
}

export type SpawnEvent = 'requested' | 'ready' | 'failed' | 'throttled' | 'stopped';

export class SpawnStats {
  private readonly buckets: Bucket[] = [];
  private readonly durations: { at: number; seconds: number }[] = [];

  record(event: SpawnEvent, now = Date.now(), readySeconds?: number): void {
    const bucket = this.bucket(Math.floor(now / 60_000));
    bucket[event]++;
    if (event === 'ready' && readySeconds !== undefined) {
      this.durations.push({ at: now, seconds: readySeconds });
      if (this.durations.length > DURATIONS) this.durations.shift();
    }
  }

  private bucket(minute: number): Bucket {
    const last = this.buckets[this.buckets.length - 1];
    if (last && last.minute === minute) return last;
    const b: Bucket = { minute, requested: 0, ready: 0, failed: 0, throttled: 0, stopped: 0 };
    this.buckets.push(b);
    while (this.buckets.length > MINUTES) this.buckets.shift();
    return b;
  }

  snapshot(now = Date.now()): SpawnStatsSnapshot {
    const current = Math.floor(now / 60_000);
    const byMinute = new Map(this.buckets.map((b) => [b.minute, b]));
    const history = [];
    for (let m = current - MINUTES + 1; m <= current; m++) {
      const b = byMinute.get(m);
      history.push({ minute: new Date(m * 60_000).toISOString(), requested: b?.requested ?? 0, ready: b?.ready ?? 0, failed: b?.failed ?? 0, throttled: b?.throttled ?? 0, stopped: b?.stopped ?? 0 });
    }
    const last5 = history.slice(-5);
    const recent = this.durations.filter((d) => d.at > now - MINUTES * 60_000).map((d) => d.seconds).sort((a, b) => a - b);
    return {
      window_minutes: MINUTES,
      // Over the last five minute-buckets (the current one still filling), per minute.
      spawns_per_minute: round(last5.reduce((a, b) => a + b.requested, 0) / 5),
      ready_p50_seconds: percentile(recent, 0.5),
      ready_p95_seconds: percentile(recent, 0.95),
      throttled_last_5m: last5.reduce((a, b) => a + b.throttled, 0),
      failed_last_5m: last5.reduce((a, b) => a + b.failed, 0),
      history,
    };
  }
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return round(sorted[i] ?? 0);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
