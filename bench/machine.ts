import { cpus, loadavg, totalmem } from "node:os";

/**
 * `CPU: <model> × <cores> · memory <GiB> · node <version> · <platform>`, and the 1-minute load average at the start and
 * end of the run when the start is given: on a shared machine it says how much of a wall time was other work.
 */
export function machineLine(loadAtStart?: number): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim().replace(/\s+/g, " ") ?? "unknown CPU";
  const load = loadAtStart === undefined ? "" : ` · load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end`;
  return `CPU: ${model}, ${cpu.length} cores · memory: ${(totalmem() / 1024 ** 3).toFixed(1)} GiB · node ${process.version} · ${process.platform}/${process.arch}${load}`;
}
