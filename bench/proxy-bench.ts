/**
 * Proxy throughput, as ratios measured in one run: direct to the backend vs through our proxy vs through the
 * real configurable-http-proxy (Debian 4.5), each with the same route table (ROUTES routes) and the same
 * keep-alive client load. Usage (after the build): node dist/bench/proxy-bench.js [seconds] [concurrency] [routes]
 * The backend runs in its own process so it does not share a core with the load generator.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { load, type LoadResult } from './http-load.js';
import { ChpClient } from '../src/daemon/proxy/chp-client.js';
import { ProxyProcess } from '../src/daemon/proxy/proxy-process.js';
import { freePort } from '../test/helpers/proxy-http.js';

const SECONDS = Number(process.argv[2] ?? 3);
const CONCURRENCY = Number(process.argv[3] ?? 32);
const ROUTES = Number(process.argv[4] ?? 2000);
const CHP_BIN = '/usr/bin/configurable-http-proxy';

const BACKEND = `
const http = require('node:http');
const s = http.createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('ok'); });
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
`;

async function startBackend(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', BACKEND], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}


async function throughProxy(command: string[] | undefined, backendUrl: string): Promise<LoadResult> {
  const [port, apiPort] = [await freePort(), await freePort()];
  const proc = new ProxyProcess({ command, ip: '127.0.0.1', port, apiIp: '127.0.0.1', apiPort, authToken: 'bench', logLevel: 'error', output: () => undefined });
  await proc.start();
  const client = new ChpClient({ apiUrl: proc.apiUrl, authToken: 'bench' });
  try {
    for (let i = 0; i < ROUTES; i++) await client.addRoute(`/user/u${i}/`, 'http://127.0.0.1:9', { user: `u${i}` });
    await client.addRoute('/user/bench/', backendUrl, { user: 'bench' });
    await load(`http://127.0.0.1:${port}/user/bench/api/status`, SECONDS, CONCURRENCY); // warm-up, discarded
    return await load(`http://127.0.0.1:${port}/user/bench/api/status`, SECONDS, CONCURRENCY);
  } finally {
    client.close();
    await proc.stop();
  }
}

function row(name: string, r: LoadResult, direct: LoadResult): string {
  return `${name.padEnd(26)} ${r.rps.toFixed(0).padStart(8)} req/s  ${(r.rps / direct.rps).toFixed(2).padStart(5)}x direct  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms`;
}

async function main(): Promise<void> {
  const backend = await startBackend();
  try {
    await load(`${backend.url}/warmup`, SECONDS, CONCURRENCY);
    const direct = await load(`${backend.url}/user/bench/api/status`, SECONDS, CONCURRENCY);
    const ours = await throughProxy(undefined, backend.url);
    console.log(`${SECONDS} s per run, ${CONCURRENCY} keep-alive clients, ${ROUTES + 1} routes`);
    console.log(row('direct', direct, direct));
    console.log(row('hub proxy (ours)', ours, direct));
    if (existsSync(CHP_BIN)) {
      const chp = await throughProxy([CHP_BIN], backend.url);
      console.log(row('configurable-http-proxy', chp, direct));
      console.log(`ours / CHP: ${(ours.rps / chp.rps).toFixed(2)}x throughput`);
    }
  } finally {
    backend.stop();
  }
}

void main();
