import http from 'node:http';

/**
 * The benches' keep-alive load generator: `concurrency` clients loop GETs on one URL for `seconds`; any non-200
 * fails the run. Reports requests per second and p50/p99 latency in milliseconds.
 */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
}

export async function load(url: string, seconds: number, concurrency: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const until = Date.now() + seconds * 1000;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      http.get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`${url}: ${res.statusCode ?? 0}`));
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          resolve();
        });
      }).on('error', reject);
    });
  const worker = async (): Promise<void> => {
    while (Date.now() < until) await one();
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (Date.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) };
}
