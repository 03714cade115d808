/**
 * Waiting for a freshly started proxy: poll its API (and then its public port) with a short exponential
 * backoff until both answer, giving up early if the process has died: no fixed sleeps, no waiting out a
 * timeout for a process that is already gone.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { HubError } from '../../lib/errors.js';

export interface ReadinessProbe {
  /** true when up, false when not yet; throws when it will never be (wrong token). */
  api: () => Promise<boolean>;
  publicHost: string;
  publicPort: number;
  publicTls: boolean;
  /** A description of the exit when the process has died, else undefined. */
  died: () => string | undefined;
  deadlineMs: number;
}

/**
 * CHP's health check on the public port. A TCP connect is not enough: CHP 4.5 survives failing to bind its
 * public port (its uncaughtException handler logs and carries on), and whatever holds the port then accepts.
 */
export function publicHealthy(host: string, port: number, tls: boolean, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    // Liveness on our own machine, not trust: a self-signed certificate is fine here.
    const options = { host, port, path: '/_chp_healthz', agent: false as const, timeout: timeoutMs, rejectUnauthorized: false };
    const req = (tls ? https : http).get(options, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve(res.statusCode === 200 && body.includes('OK')));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Whether anything accepts a TCP connection there (a refused or timed-out connect: nothing does). */
export function portAnswers(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: host === '' || host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host, port });
    const done = (answered: boolean): void => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

async function pollUntil(what: string, check: () => Promise<boolean>, probe: ReadinessProbe, started: number): Promise<void> {
  let wait = 10;
  for (;;) {
    const death = probe.died();
    if (death !== undefined) throw new HubError('DAEMON_START_FAILED', `proxy ${death} before ${what} answered`, { hint: "its own message is in the log just above" });
    if (await check()) return;
    if (Date.now() - started > probe.deadlineMs) {
      throw new HubError('DAEMON_START_FAILED', `proxy: ${what} did not answer within ${Math.round(probe.deadlineMs / 1000)} s`, {
        hint: 'check the proxy log; a slow machine may need a longer start timeout',
      });
    }
    await sleep(wait);
    wait = Math.min(wait * 2, 250);
  }
}

export async function waitForProxy(probe: ReadinessProbe): Promise<void> {
  const started = Date.now();
  await pollUntil('its API', probe.api, probe, started);
  // An empty --ip binds every interface; loopback reaches it.
  const host = probe.publicHost === '' || probe.publicHost === '0.0.0.0' ? '127.0.0.1' : probe.publicHost === '::' ? '::1' : probe.publicHost;
  await pollUntil('its public port', () => publicHealthy(host, probe.publicPort, probe.publicTls), probe, started);
}
