/**
 * ProxyProcess: starting, stopping and watching the proxy as a child of the hub, with our proxy-main and the
 * real configurable-http-proxy; kill -9 detection; the pid file for adopting a proxy a previous hub left.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { HubError } from '../../src/lib/errors.js';
import { ProxyProcess, type ProxyExit, type ProxyProcessOptions } from '../../src/daemon/proxy/proxy-process.js';
import { isAlive } from '../../src/daemon/proxy/proxy-pid-file.js';
import { CHP_AVAILABLE, CHP_BIN, PROXY_KINDS, proxyTestEnv } from '../helpers/proxy-harness.js';
import { freePort, httpRequest } from '../helpers/proxy-http.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'hub-proxy-process-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function options(extra: Partial<ProxyProcessOptions> = {}): Promise<ProxyProcessOptions> {
  const output: string[] = [];
  return {
    ip: '127.0.0.1',
    port: await freePort(),
    apiIp: '127.0.0.1',
    apiPort: await freePort(),
    authToken: 'process-test-token-1234',
    env: proxyTestEnv(),
    output: (line) => output.push(line),
    startTimeoutMs: 20_000,
    ...extra,
  };
}

function exitPromise(): { onExit: (e: ProxyExit) => void; exited: Promise<ProxyExit> } {
  let onExit: (e: ProxyExit) => void = () => undefined;
  const exited = new Promise<ProxyExit>((resolve) => (onExit = resolve));
  return { onExit, exited };
}

function runningPid(proc: ProxyProcess): number {
  const s = proc.state;
  assert.equal(s.state, 'running');
  return s.state === 'running' ? s.pid : -1;
}

for (const kind of PROXY_KINDS) {
  const command = kind === 'chp' ? [CHP_BIN] : undefined;
  describe(`ProxyProcess with ${kind}`, { skip: kind === 'chp' && !CHP_AVAILABLE ? 'configurable-http-proxy not installed' : false }, () => {
    test('start waits until the API answers; stop ends the process and frees the ports', async () => {
      const opts = await options({ command });
      const proc = new ProxyProcess(opts);
      await proc.start();
      const pid = runningPid(proc);
      const client = proc.client();
      try {
        assert.ok(typeof (await client.getRawRoutes()) === 'object');
      } finally {
        client.close();
      }
      await proc.stop();
      assert.equal(proc.state.state, 'stopped');
      assert.equal(isAlive(pid), false);
      await assert.rejects(httpRequest(`${proc.apiUrl}/api/routes`), /ECONNREFUSED/);
    });

    test('the token travels in the environment, never on the command line', async () => {
      const opts = await options({ command });
      const proc = new ProxyProcess(opts);
      await proc.start();
      try {
        const pid = runningPid(proc);
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
        const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
        assert.ok(!cmdline.includes(opts.authToken));
        assert.ok(environ.split('\0').includes(`CONFIGPROXY_AUTH_TOKEN=${opts.authToken}`));
      } finally {
        await proc.stop();
      }
    });

    test('kill -9 of the running proxy is noticed: onExit fires and the state says how it died', async () => {
      const { onExit, exited } = exitPromise();
      const proc = new ProxyProcess(await options({ command, onExit }));
      await proc.start();
      process.kill(runningPid(proc), 'SIGKILL');
      const exit = await exited;
      assert.equal(exit.signal, 'SIGKILL');
      assert.equal(proc.state.state, 'exited');
      assert.equal(proc.isRunning(), false);
      await proc.stop();
    });

    test('a proxy that cannot bind its public port (taken) fails start() instead of passing for ready', async () => {
      const blocker = net.createServer((socket) => socket.destroy());
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
      const taken = (blocker.address() as net.AddressInfo).port;
      const lines: string[] = [];
      const proc = new ProxyProcess(await options({ command, port: taken, output: (l) => lines.push(l), startTimeoutMs: 3000 }));
      try {
        await assert.rejects(proc.start(), (err: unknown) => {
          assert.ok(err instanceof HubError);
          assert.equal(err.code, 'DAEMON_START_FAILED');
          // Ours exits at once; CHP 4.5 logs the EADDRINUSE and keeps running without a public port.
          assert.match(err.message, kind === 'ours' ? /exited with code/ : /public port did not answer/);
          return true;
        });
        assert.ok(lines.join('\n').includes('EADDRINUSE'), lines.join('\n'));
        assert.notEqual(proc.state.state, 'running');
      } finally {
        await new Promise<void>((resolve) => blocker.close(() => resolve()));
      }
    });
  });
}

describe('ProxyProcess lifecycle details', () => {
  test('a command that does not exist is a clear HubError', async () => {
    const proc = new ProxyProcess(await options({ command: [path.join(dir, 'no-such-proxy')] }));
    await assert.rejects(proc.start(), (err: unknown) => err instanceof HubError && err.code === 'DAEMON_START_FAILED' && /cannot start the proxy/.test(err.message));
  });

  test('with a pid file and adopt, a new ProxyProcess takes over the running proxy instead of restarting it', async () => {
    const pidFile = path.join(dir, 'adopt.pid');
    const opts = await options({ pidFile, adopt: true });
    const first = new ProxyProcess(opts);
    await first.start();
    const pid = runningPid(first);
    assert.equal((await readFile(pidFile, 'utf8')).trim(), String(pid));
    first.release();
    const second = new ProxyProcess(opts);
    await second.start();
    assert.deepEqual(second.state, { state: 'running', pid, adopted: true });
    await second.stop();
    assert.equal(isAlive(pid), false);
    await assert.rejects(readFile(pidFile), /ENOENT/);
  });

  test('another process on the API address (no pid file of ours) is refused at once, not fought over', async () => {
    const opts = await options({ pidFile: path.join(dir, 'taken.pid') });
    const squatter = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => squatter.listen(opts.apiPort, '127.0.0.1', resolve));
    try {
      const proc = new ProxyProcess(opts);
      await assert.rejects(proc.start(), (err: unknown) => err instanceof HubError && /another process already listens on its API address/.test(err.message));
      assert.equal(proc.state.state, 'stopped', 'nothing was spawned');
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  test('without adopt, a leftover proxy from the pid file is stopped and a new one started', async () => {
    const pidFile = path.join(dir, 'leftover.pid');
    const opts = await options({ pidFile });
    const first = new ProxyProcess(opts);
    await first.start();
    const oldPid = runningPid(first);
    first.release();
    const second = new ProxyProcess(opts);
    await second.start();
    try {
      assert.equal(isAlive(oldPid), false);
      assert.notEqual(runningPid(second), oldPid);
    } finally {
      await second.stop();
    }
  });

  test('an adopted proxy that dies is noticed by the periodic check', async () => {
    const pidFile = path.join(dir, 'adopt-die.pid');
    const { onExit, exited } = exitPromise();
    const opts = await options({ pidFile, adopt: true, checkIntervalMs: 20, onExit });
    const first = new ProxyProcess({ ...opts, onExit: undefined });
    await first.start();
    first.release();
    const second = new ProxyProcess(opts);
    await second.start();
    process.kill(runningPid(second), 'SIGKILL');
    await exited;
    assert.equal(second.state.state, 'exited');
    await second.stop();
  });

  test('a proxy that ignores SIGTERM is killed after stopTimeoutMs', async () => {
    const script = path.join(dir, 'stubborn-proxy.mjs');
    await writeFile(script, STUBBORN_PROXY);
    const warnings: string[] = [];
    const log = { debug: () => undefined, info: () => undefined, warn: (m: string) => warnings.push(m), error: () => undefined, child: () => log };
    const proc = new ProxyProcess(await options({ command: [process.execPath, script], stopTimeoutMs: 200, log }));
    await proc.start();
    const pid = runningPid(proc);
    await proc.stop();
    assert.equal(isAlive(pid), false);
    assert.ok(warnings.some((w) => w.includes('SIGKILL')));
  });
});

/** Answers like a proxy, ignores SIGTERM. */
const STUBBORN_PROXY = `
import http from 'node:http';
const args = process.argv.slice(2);
const get = (flag) => args[args.indexOf(flag) + 1];
process.on('SIGTERM', () => {});
http.createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end('{}'); }).listen(Number(get('--api-port')), get('--api-ip'));
http.createServer((req, res) => res.end('{"status":"OK"}')).listen(Number(get('--port')), get('--ip'));
`;
