import type * as grpc from "@grpc/grpc-js";
import { AnalyzeStackRequest, type AnalyzeResponse } from "@pulumi/pulumi/proto/analyzer_pb";
import { analyzerResource, startPolicyPack, type PolicyPackSession } from "../src/engine";
import type { ClientCertificate } from "./certificate";
import { generateFleet, stackResources } from "./fleet";
import { REAL_PACK_DIR, writeFloorPack } from "./packs";
import { ratioRow, type BenchRow } from "./result";
import { formatMs, median, timed } from "./stats";

export const FLOOR_RATIO_TARGET = 1.5;
export const FLOOR_RATIO_AT = 1000;
export const GROWTH_TARGET = 5.5;

export interface AnalyzeStackTimes {
  readonly size: number;
  readonly resources: number;
  readonly realMs: number;
  readonly floorMs: number;
  readonly realDiagnostics: number;
  /** Samples behind each median (fewer than asked when one call is slow, see `SLOW_CALL_MS`). */
  readonly runs: number;
}

/** When the warm-up calls of a size take longer than this together, the warm-up is the only sample (keeps the bench short). */
export const SLOW_CALL_MS = 20_000;
/** Time allowed for the timed calls of one size after the warm-up. */
export const SIZE_BUDGET_MS = 60_000;

/**
 * `AnalyzeStack` over generated fleets, the real pack (configured with its defaults, as the CLI does) against the
 * floor pack. Both packs run for the whole benchmark; each size gets one warm-up call per pack, then up to `runs`
 * calls alternating between the packs (within `SIZE_BUDGET_MS`), median. A size whose warm-up calls take longer than
 * `SLOW_CALL_MS` is reported from the warm-up alone. The request is encoded once per size, so the figures hold the pack's
 * work plus the gRPC transfer both packs share.
 */
export async function benchAnalyzeStack(sizes: readonly number[], runs: number, certificate: ClientCertificate): Promise<{ rows: BenchRow[]; times: AnalyzeStackTimes[] }> {
  const real = await startPolicyPack(REAL_PACK_DIR);
  const floor = await startPolicyPack(writeFloorPack());
  const times: AnalyzeStackTimes[] = [];
  try {
    await real.configure();
    await floor.configure();
    for (const size of sizes) {
      const resources = stackResources(generateFleet(size, certificate));
      const request = new AnalyzeStackRequest().setResourcesList(resources.map(analyzerResource));
      const warmReal = await timed(() => call(real, request));
      const warmFloor = await timed(() => call(floor, request));
      let realSamples = [warmReal.ms];
      let floorSamples = [warmFloor.ms];
      if (warmReal.ms + warmFloor.ms <= SLOW_CALL_MS) {
        realSamples = [];
        floorSamples = [];
        const budgetEnd = Date.now() + SIZE_BUDGET_MS;
        while (realSamples.length < runs && (realSamples.length === 0 || Date.now() < budgetEnd)) {
          realSamples.push((await timed(() => call(real, request))).ms);
          floorSamples.push((await timed(() => call(floor, request))).ms);
        }
      }
      const realDiagnostics = warmReal.result.getDiagnosticsList().length;
      times.push({ size, resources: resources.length, realMs: median(realSamples), floorMs: median(floorSamples), realDiagnostics, runs: realSamples.length });
    }
  } finally {
    await real.close();
    await floor.close();
  }
  return { rows: analyzeStackRows(times), times };
}

export function analyzeStackRows(times: readonly AnalyzeStackTimes[]): BenchRow[] {
  const rows: BenchRow[] = times.map((t) =>
    ratioRow(
      {
        measure: `AnalyzeStack, real pack vs floor pack (${t.runs === 1 ? "1 run" : `median of ${t.runs}`})`,
        size: `${t.size.toLocaleString("en-US")} clusters (${t.resources.toLocaleString("en-US")} resources)`,
        value: formatMs(t.realMs),
        baseline: `${formatMs(t.floorMs)} (floor pack)`,
      },
      t.realMs / t.floorMs,
      t.size === FLOOR_RATIO_AT ? FLOOR_RATIO_TARGET : undefined,
    ),
  );
  const at1000 = times.find((t) => t.size === FLOOR_RATIO_AT);
  const at5000 = times.find((t) => t.size === FLOOR_RATIO_AT * 5);
  if (at1000 && at5000) {
    rows.push(
      ratioRow(
        {
          measure: "AnalyzeStack growth, real pack, 1,000 → 5,000 clusters",
          size: "5× the clusters",
          value: formatMs(at5000.realMs),
          baseline: `${formatMs(at1000.realMs)} (1,000 clusters; floor grows ${(at5000.floorMs / at1000.floorMs).toFixed(2)}×)`,
        },
        at5000.realMs / at1000.realMs,
        GROWTH_TARGET,
      ),
    );
  }
  return rows;
}

function call(pack: PolicyPackSession, request: AnalyzeStackRequest): Promise<AnalyzeResponse> {
  return new Promise((resolve, reject) =>
    pack.client.analyzeStack(request, (err: grpc.ServiceError | null, response: AnalyzeResponse) => (err ? reject(err) : resolve(response))),
  );
}
