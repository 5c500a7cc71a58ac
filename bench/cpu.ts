import { readFileSync } from "node:fs";

/** Clock ticks per second of `/proc/<pid>/stat` times (USER_HZ): 100 on Linux for every architecture Node supports. */
const USER_HZ = 100;

/**
 * CPU time (user + system) a process has used so far, in milliseconds, from `/proc/<pid>/stat`; undefined where
 * there is no /proc (not Linux). Resolution 10 ms.
 */
export function processCpuMs(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // Fields after the parenthesised command name (which may hold spaces): state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? ((utime + stime) * 1000) / USER_HZ : undefined;
}

/** Runs `work` and returns its wall time and the CPU time `pid` used meanwhile (undefined without /proc). */
export async function timedWithCpu<T>(pid: number, work: () => Promise<T>): Promise<{ ms: number; cpuMs: number | undefined; result: T }> {
  const cpuBefore = processCpuMs(pid);
  const start = process.hrtime.bigint();
  const result = await work();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const cpuAfter = processCpuMs(pid);
  return { ms, cpuMs: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore, result };
}
