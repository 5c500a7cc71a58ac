import { ANALYZE_METHOD, startPolicyPack, type ResourceInput } from "../src/engine";
import { analyzeRequestBytes } from "../src/engine/analyzerMessages";
import { call } from "./analyzeStack";
import type { ClientCertificate } from "./certificate";
import { generateFleet, stackResources } from "./fleet";
import { REAL_PACK_DIR, writeResourceFloorPack } from "./packs";
import { ratioRow, type BenchRow } from "./result";
import { timedWithCpu } from "./cpu";
import { formatMs, median } from "./stats";

/** Analyze of every resource at 1,000 clusters: at most this many times the resource floor pack. */
export const ANALYZE_RATIO_TARGET = 1.5;
export const ANALYZE_RATIO_AT = 1000;

/**
 * Analyze of every resource of a generated fleet, one call each in registration order, as the engine sends them
 * during a preview: the real pack (its resource policies judge each provider's certificate, each object's own
 * kubesphere.yaml, a member's accessTokenMaxAge wherever the object says member, and undecided values here) against
 * a floor pack whose one resource policy reads every property. Each round starts both packs afresh; requests are
 * encoded beforehand. Wall time is the target row; the pack processes' CPU time is shown beside it.
 */
export async function benchAnalyze(sizes: readonly number[], runs: number, certificate: ClientCertificate): Promise<{ rows: BenchRow[]; realDiagnostics: number[] }> {
  const floorDir = writeResourceFloorPack();
  const rows: BenchRow[] = [];
  const realDiagnostics: number[] = [];
  for (const size of sizes) {
    const requests = stackResources(generateFleet(size, certificate)).map(analyzeRequestBytes);
    const real: number[] = [];
    const floor: number[] = [];
    const realCpu: number[] = [];
    const floorCpu: number[] = [];
    let diagnostics = 0;
    for (let round = 0; round < runs; round++) {
      const first = await everyResource(REAL_PACK_DIR, requests);
      real.push(first.ms);
      if (first.cpuMs !== undefined) realCpu.push(first.cpuMs);
      diagnostics = first.diagnostics;
      const floorRound = await everyResource(floorDir, requests);
      floor.push(floorRound.ms);
      if (floorRound.cpuMs !== undefined) floorCpu.push(floorRound.cpuMs);
    }
    realDiagnostics.push(diagnostics);
    rows.push(
      ratioRow(
        {
          measure: `Analyze of every resource, one call each, real pack vs resource floor pack (${runs === 1 ? "1 run" : `median of ${runs}`})`,
          size: `${size.toLocaleString("en-US")} clusters (${requests.length.toLocaleString("en-US")} calls)`,
          value: formatMs(median(real)),
          baseline: `${formatMs(median(floor))} (resource floor pack)`,
        },
        median(real) / median(floor),
        size === ANALYZE_RATIO_AT ? ANALYZE_RATIO_TARGET : undefined,
      ),
    );
    if (realCpu.length === runs && floorCpu.length === runs) {
      rows.push(
        ratioRow(
          {
            measure: "Analyze of every resource, real pack vs resource floor pack, CPU time of the pack process",
            size: `${size.toLocaleString("en-US")} clusters`,
            value: formatMs(median(realCpu)),
            baseline: `${formatMs(median(floorCpu))} (resource floor pack)`,
          },
          median(realCpu) / median(floorCpu),
        ),
      );
    }
  }
  return { rows, realDiagnostics };
}


/** Starts the pack, sends its default config, times Analyze of every request in turn (wall and the pack's CPU), stops the pack. */
async function everyResource(dir: string, requests: readonly Buffer[]): Promise<{ ms: number; cpuMs: number | undefined; diagnostics: number }> {
  const pack = await startPolicyPack(dir);
  try {
    await pack.configure();
    const { ms, cpuMs, result } = await timedWithCpu(pack.pid, async () => {
      let diagnostics = 0;
      for (const request of requests) diagnostics += (await call(pack, request, ANALYZE_METHOD)).getDiagnosticsList().length;
      return diagnostics;
    });
    return { ms, cpuMs, diagnostics: result };
  } finally {
    await pack.close();
  }
}
