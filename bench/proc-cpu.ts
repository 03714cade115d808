import { readFileSync } from 'node:fs';

/**
 * CPU seconds (user + system) a process has used, from /proc/<pid>/stat, so a benchmark can say what a run cost
 * each process (hub, its proxy, the client) besides wall time: on a shared 2-core machine wall time is noisy,
 * CPU time much less so. Linux only; 0 where /proc is unreadable.
 */
const TICKS_PER_SECOND = 100;

export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name, which may itself contain spaces; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The direct children of a process (e.g. the proxy the hub started), from /proc/<pid>/task/<pid>/children. */
export function childPids(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** CPU seconds of a hub and of its helper processes (the proxy), leaving out spawned servers named `serverComm`. */
export function hubCpu(pid: number | undefined, serverComm: string): { hub: number; helpers: number } {
  const helpers = childPids(pid).filter((c) => comm(c) !== serverComm);
  return { hub: cpuSeconds(pid), helpers: helpers.reduce((a, c) => a + cpuSeconds(c), 0) };
}
