/**
 * Processes the real tests start in process groups of their own (etcd, kube-apiserver, a pulumi command and the
 * plugins its engine starts): every group still running is killed when the test process exits, whatever happened to
 * the test, so nothing is left behind.
 */
import type { ChildProcess } from "node:child_process";

const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) killGroup(child, "SIGKILL");
});

/** Kills `child`'s whole process group when the test process exits, unless `untrack` comes first. */
export function trackGroup(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

export function untrack(child: ChildProcess): void {
  running.delete(child);
}

/** Sends `signal` to `child`'s process group (started with `detached: true`); nothing if it is gone. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
