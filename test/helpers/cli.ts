import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Runs the real CLI (bin/run.js) as a user would: a separate process, exit code and output checked. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const BIN = path.join(ROOT, 'bin', 'run.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  // The developer's own hub settings must not leak into a test; the test's extras are applied after.
  for (const k of ['HUB_SOCKET', 'JPY_COOKIE_SECRET', 'NOTIFY_SOCKET', 'CONFIGPROXY_AUTH_TOKEN', 'JUPYTERHUB_CRYPT_KEY']) delete env[k];
  return { ...env, ...extra };
}

export async function runCli(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; uid?: number; gid?: number }): Promise<CliResult> {
  const ids = opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.gid ?? opts.uid };
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd, env: opts.env ?? cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'], ...ids });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(opts.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (c, s) => resolve([c, s])));
  clearTimeout(timer);
  return { code, signal, stdout, stderr };
}

export interface RunningDaemon {
  proc: ChildProcess;
  output: () => string;
  exited: Promise<CliResult>;
  stop: (signal?: NodeJS.Signals) => Promise<CliResult>;
}

/**
 * `hub start` in the foreground; resolves once the daemon logs that it is ready (no sleeps), rejects if it
 * exits first. The returned stop() sends SIGTERM and waits for the exit.
 */
export async function startDaemon(args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; readyText?: string }): Promise<RunningDaemon> {
  const proc = spawn(process.execPath, [BIN, 'start', '--log-level', 'INFO', ...args], { cwd: opts.cwd, env: opts.env ?? cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<CliResult>((resolve) => proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  const readyText = opts.readyText ?? 'is ready';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`daemon not ready after 60 s:\n${stderr}`)), 60_000);
    proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes(readyText)) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((r) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited before ready (code ${r.code}):\n${r.stderr}`));
    });
  });
  return {
    proc,
    output: () => stderr,
    exited,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      proc.kill(signal);
      return exited;
    },
  };
}

export async function tempDir(prefix = 'hub-test-'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), prefix));
}
