/**
 * The proxy's throughput to an https backend that requires client certificates (internal_ssl: the proxy
 * presents proxy-client, the backend a notebooks-ca certificate) as a ratio to a plain http backend, in the
 * same run, through the same proxy process. Backends keep connections alive, as jupyterhub-singleuser does.
 * Usage (after the build): node dist/bench/tls-proxy-bench.js [seconds] [concurrency]
 * Backends and proxy run in their own processes, so none shares a core with the load generator.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { load, type LoadResult } from './http-load.js';
import { ChpClient } from '../src/daemon/proxy/chp-client.js';
import { ProxyProcess } from '../src/daemon/proxy/proxy-process.js';
import { InternalSsl } from '../src/daemon/ssl/internal-ssl.js';
import { tempDir } from '../test/helpers/cli.js';
import { freePort } from '../test/helpers/proxy-http.js';

const SECONDS = Number(process.argv[2] ?? 3);
const CONCURRENCY = Number(process.argv[3] ?? 32);

/** argv: [key cert ca] for https with required client certificates; none for plain http. */
const BACKEND = `
const fs = require('node:fs');
const [key, cert, ca] = process.argv.slice(1);
const handler = (req, res) => { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end('ok'); };
const s = key
  ? require('node:https').createServer({ key: fs.readFileSync(key), cert: fs.readFileSync(cert), ca: fs.readFileSync(ca), requestCert: true, rejectUnauthorized: true }, handler)
  : require('node:http').createServer(handler);
s.keepAliveTimeout = 60000;
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
`;

async function startBackend(tls?: { keyfile: string; certfile: string; cafile: string }): Promise<{ url: string; stop: () => void }> {
  const args = tls ? [tls.keyfile, tls.certfile, tls.cafile] : [];
  const child = spawn(process.execPath, ['-e', BACKEND, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`, stop: () => child.kill('SIGTERM') };
}


function row(name: string, r: LoadResult, plain: LoadResult): string {
  return `${name.padEnd(34)} ${r.rps.toFixed(0).padStart(8)} req/s  ${(r.rps / plain.rps).toFixed(2).padStart(5)}x plain  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms`;
}

/** Alternating runs, so that drift in the machine's load hits both sides alike; the better run of each counts. */
async function measure(base: string): Promise<{ plain: LoadResult; tls: LoadResult }> {
  await load(`${base}/user/plain/warmup`, SECONDS, CONCURRENCY);
  await load(`${base}/user/tls/warmup`, SECONDS, CONCURRENCY);
  const runs = { plain: [] as LoadResult[], tls: [] as LoadResult[] };
  for (let i = 0; i < 2; i++) {
    runs.plain.push(await load(`${base}/user/plain/api/status`, SECONDS, CONCURRENCY));
    runs.tls.push(await load(`${base}/user/tls/api/status`, SECONDS, CONCURRENCY));
  }
  const best = (rs: LoadResult[]): LoadResult => rs.reduce((a, b) => (b.rps > a.rps ? b : a));
  return { plain: best(runs.plain), tls: best(runs.tls) };
}

async function main(): Promise<void> {
  const dir = await tempDir('hub-tls-bench-');
  const ssl = await InternalSsl.init({ location: 'internal-ssl', cwd: dir, hostname: 'bench' });
  const plainBackend = await startBackend();
  const tlsBackend = await startBackend(await ssl.issueServerCert({ name: 'bench' }));
  const [port, apiPort] = [await freePort(), await freePort()];
  const proc = new ProxyProcess({ ip: '127.0.0.1', port, apiIp: '127.0.0.1', apiPort, authToken: 'bench', logLevel: 'error', clientSsl: ssl.proxyClient, output: () => undefined });
  await proc.start();
  const client = new ChpClient({ apiUrl: proc.apiUrl, authToken: 'bench' });
  try {
    await client.addRoute('/user/plain/', plainBackend.url);
    await client.addRoute('/user/tls/', tlsBackend.url);
    const { plain, tls } = await measure(`http://127.0.0.1:${port}`);
    console.log(`${SECONDS} s per run, ${CONCURRENCY} keep-alive clients, best of 2 alternating runs`);
    console.log(row('proxy -> http backend', plain, plain));
    console.log(row('proxy -> https backend, client cert', tls, plain));
    console.log(`ratio https/http: ${(tls.rps / plain.rps).toFixed(2)} (target > 0.5)`);
  } finally {
    client.close();
    await proc.stop();
    plainBackend.stop();
    tlsBackend.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();
