import { startPolicyPack } from "../src/engine";
import { writeOnePolicyPack, REAL_PACK_DIR } from "./packs";
import { ratioRow, type BenchRow } from "./result";
import { formatMs, median } from "./stats";

export const COLD_START_TARGET = 1.2;

/**
 * Cold start as the engine sees it: spawn of `run-policy-pack` until the port is printed, the real pack against a
 * one-policy pack on the same node_modules. Runs alternate between the two so drift hits both; median of `runs`.
 */
export async function benchPackStart(runs: number): Promise<BenchRow[]> {
  const onePolicyDir = writeOnePolicyPack();
  const real: number[] = [];
  const floor: number[] = [];
  for (let i = 0; i < runs; i++) {
    real.push(await startMs(REAL_PACK_DIR));
    floor.push(await startMs(onePolicyDir));
  }
  const value = median(real);
  const baseline = median(floor);
  return [
    ratioRow(
      { measure: `Policy pack cold start (spawn → port, median of ${runs})`, size: "real pack", value: formatMs(value), baseline: `${formatMs(baseline)} (one-policy pack)` },
      value / baseline,
      COLD_START_TARGET,
    ),
  ];
}

async function startMs(dir: string): Promise<number> {
  const pack = await startPolicyPack(dir);
  try {
    return pack.startMs;
  } finally {
    await pack.close();
  }
}
