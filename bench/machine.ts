import { cpus, totalmem } from "node:os";

/** `CPU: <model> × <cores> · memory <GiB> · node <version> · <platform>` */
export function machineLine(): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim().replace(/\s+/g, " ") ?? "unknown CPU";
  return `CPU: ${model}, ${cpu.length} cores · memory: ${(totalmem() / 1024 ** 3).toFixed(1)} GiB · node ${process.version} · ${process.platform}/${process.arch}`;
}
