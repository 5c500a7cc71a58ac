import type * as grpc from "@grpc/grpc-js";
import { AnalyzeResponse, AnalyzeStackRequest } from "@pulumi/pulumi/proto/analyzer_pb";
import { analyzerResource, startPolicyPack, type PolicyPackSession, type ResourceInput } from "../src/engine";
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
  /** The floor pack with as many stack policies as the real pack: what the policy SDK itself costs per policy. */
  readonly sdkFloorMs: number;
  readonly stackPolicies: number;
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
 * floor pack, plus the floor pack repeated as many times as the real pack has stack policies (the policy SDK
 * deserializes the whole stack once per stack policy, a cost no pack code can avoid). Both packs run for the whole benchmark; each size gets one warm-up call per pack, then up to `runs`
 * calls alternating between the packs (within `SIZE_BUDGET_MS`), median. A size whose warm-up calls take longer than
 * `SLOW_CALL_MS` is reported from the warm-up alone. The request is encoded once per size (`encodeRequest`), so the
 * figures hold the pack's work (decoding included) plus the local gRPC transfer both packs share.
 */
export async function benchAnalyzeStack(sizes: readonly number[], runs: number, certificate: ClientCertificate): Promise<{ rows: BenchRow[]; times: AnalyzeStackTimes[] }> {
  const real = await startPolicyPack(REAL_PACK_DIR);
  const stackPolicies = (await real.getAnalyzerInfo()).policies.filter((p) => p.type === "stack").length;
  const floor = await startPolicyPack(writeFloorPack());
  const sdkFloor = await startPolicyPack(writeFloorPack(stackPolicies));
  const times: AnalyzeStackTimes[] = [];
  try {
    await real.configure();
    await floor.configure();
    await sdkFloor.configure();
    for (const size of sizes) {
      const resources = stackResources(generateFleet(size, certificate));
      const request = encodeRequest(resources);
      const warmReal = await timed(() => call(real, request));
      const warmFloor = await timed(() => call(floor, request));
      const warmSdkFloor = await timed(() => call(sdkFloor, request));
      let realSamples = [warmReal.ms];
      let floorSamples = [warmFloor.ms];
      let sdkFloorSamples = [warmSdkFloor.ms];
      if (warmReal.ms + warmFloor.ms + warmSdkFloor.ms <= SLOW_CALL_MS) {
        realSamples = [];
        floorSamples = [];
        sdkFloorSamples = [];
        const budgetEnd = Date.now() + SIZE_BUDGET_MS;
        while (realSamples.length < runs && (realSamples.length === 0 || Date.now() < budgetEnd)) {
          realSamples.push((await timed(() => call(real, request))).ms);
          floorSamples.push((await timed(() => call(floor, request))).ms);
          sdkFloorSamples.push((await timed(() => call(sdkFloor, request))).ms);
        }
      }
      times.push({
        size,
        resources: resources.length,
        realMs: median(realSamples),
        floorMs: median(floorSamples),
        sdkFloorMs: median(sdkFloorSamples),
        stackPolicies,
        realDiagnostics: warmReal.result.getDiagnosticsList().length,
        runs: realSamples.length,
      });
    }
  } finally {
    await real.close();
    await floor.close();
    await sdkFloor.close();
  }
  return { rows: analyzeStackRows(times), times };
}

export function analyzeStackRows(times: readonly AnalyzeStackTimes[]): BenchRow[] {
  const rows: BenchRow[] = times.flatMap((t) => [
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
    // Not a target: the share of the floor the policy SDK adds by handing each stack policy its own copy of the stack.
    ratioRow(
      {
        measure: `AnalyzeStack, floor pack with ${t.stackPolicies} stack policies (the real pack's count) vs 1`,
        size: `${t.size.toLocaleString("en-US")} clusters`,
        value: formatMs(t.sdkFloorMs),
        baseline: `${formatMs(t.floorMs)} (floor pack)`,
      },
      t.sdkFloorMs / t.floorMs,
    ),
  ]);
  const at1000 = times.find((t) => t.size === FLOOR_RATIO_AT);
  const at5000 = times.find((t) => t.size === FLOOR_RATIO_AT * 5);
  if (at1000 && at5000) {
    rows.push(
      ratioRow(
        {
          measure: "AnalyzeStack growth, real pack, 1,000 → 5,000 clusters",
          size: "5× the clusters",
          value: formatMs(at5000.realMs),
          baseline: `${formatMs(at1000.realMs)} (1,000 clusters; the floor pack grows ${(at5000.floorMs / at1000.floorMs).toFixed(2)}×, the ${at1000.stackPolicies}-policy floor ${(at5000.sdkFloorMs / at1000.sdkFloorMs).toFixed(2)}×)`,
        },
        at5000.realMs / at1000.realMs,
        GROWTH_TARGET,
      ),
    );
  }
  return rows;
}

const ANALYZE_STACK_METHOD = "/pulumirpc.Analyzer/AnalyzeStack";

/**
 * The AnalyzeStack request, encoded once. The engine (Go) encodes in a few milliseconds; google-protobuf in this
 * process takes about a second per 1,000 clusters, which would otherwise be timed in every call of both packs.
 */
export function encodeRequest(resources: readonly ResourceInput[]): Buffer {
  const bytes = new AnalyzeStackRequest().setResourcesList(resources.map(analyzerResource)).serializeBinary();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** AnalyzeStack with an already encoded request, through the session's own client. */
export function call(pack: PolicyPackSession, request: Buffer): Promise<AnalyzeResponse> {
  return new Promise((resolve, reject) =>
    pack.client.makeUnaryRequest(
      ANALYZE_STACK_METHOD,
      (bytes: Buffer) => bytes,
      (bytes: Buffer) => AnalyzeResponse.deserializeBinary(new Uint8Array(bytes)),
      request,
      (err: grpc.ServiceError | null, response?: AnalyzeResponse) => (err || !response ? reject(err ?? new Error("AnalyzeStack returned nothing")) : resolve(response)),
    ),
  );
}
