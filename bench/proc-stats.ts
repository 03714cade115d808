/**
 * What the benches read about other processes from /proc (Linux): resident memory, and CPU time, to show how
 * the 2 cores were split between generator, proxy and backend.
 */
import { readFileSync } from 'node:fs';

/** Resident set size in bytes. */
export function rssBytes(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match?.[1] === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces), which ends at the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100; // USER_HZ is 100 on every Linux Node supports
}

/** Measures the CPU share (1.0 = one core) each pid used while `run` ran. */
export async function cpuShares<T>(pids: number[], run: () => Promise<T>): Promise<{ result: T; shares: number[] }> {
  const before = pids.map(cpuSeconds);
  const t0 = process.hrtime.bigint();
  const result = await run();
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
  return { result, shares: pids.map((pid, i) => (cpuSeconds(pid) - (before[i] ?? 0)) / elapsed) };
}
