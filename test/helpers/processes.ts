/**
 * Processes as the operating system sees them (Linux `/proc`): whether one still runs, and which a process started.
 * For tests that a process leaves nothing behind.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Alive and not a zombie (a killed child of a process that has exited is reaped by init, or lingers as a zombie). */
export function alive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== "Z";
}

/** Waits for the processes to go, a bounded number of polls (`attempts` × 50 ms). */
export async function gone(pids: readonly number[], attempts = 100): Promise<boolean> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (!pids.some(alive)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !pids.some(alive);
}

/** The running children of `pid` (whichever of its threads started them), with their command lines. */
export function childrenOf(pid: number): { pid: number; args: string }[] {
  const children: { pid: number; args: string }[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat?.ppid !== pid || stat.state === "Z") continue;
    try {
      children.push({ pid: Number(entry), args: readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" ").trim() });
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

function procStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: state!, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}
