/**
 * A bounded load generator for the API bench: a fixed number of requests over a fixed number of keep-alive
 * connections (its own http.Agent, never the global one), each request's latency recorded.
 */
import http from 'node:http';

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

function once(agent: http.Agent, url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

/** `total` GETs of urlFor(i), `concurrency` at a time. Non-2xx replies are counted as errors (and reported). */
export async function load(urlFor: (i: number) => string, total: number, concurrency: number, headers: Record<string, string>): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let next = 0;
  let errors = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const t0 = process.hrtime.bigint();
      const status = await once(agent, urlFor(i), headers);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (status < 200 || status >= 300) errors++;
    }
  };
  const start = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  if (errors > 0) console.error(`  ${errors} of ${total} requests to ${urlFor(0)} failed`);
  return { requests: total, rps: total / seconds, p50: at(0.5), p99: at(0.99), errors };
}

/** POST /users with these names; throws unless 201. */
export async function bulkCreate(apiUrl: string, token: string, usernames: string[]): Promise<void> {
  const status = await postJson(`${apiUrl}/users`, token, { usernames });
  if (status !== 201) throw new Error(`POST ${apiUrl}/users answered ${status}`);
}

/** One JSON POST on a fresh connection; resolves with the status. */
export async function postJson(url: string, token: string, payload: unknown): Promise<number> {
  const body = JSON.stringify(payload);
  const agent = new http.Agent({ keepAlive: false });
  return new Promise<number>((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST', agent,
      headers: { authorization: `token ${token}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}
