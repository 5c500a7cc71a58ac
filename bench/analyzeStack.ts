import { join } from "node:path";
import type { AnalyzeResponse } from "@pulumi/pulumi/proto/analyzer_pb";
import { ANALYZE_STACK_METHOD, analyzeStackRequestBytes, encodeAnalyzerResource, encodedCall, startPolicyPack, type PolicyPackSession, type ResourceInput } from "../src/engine";
import type { ClientCertificate } from "./certificate";
import { generateFleet, stackResources } from "./fleet";
import { REAL_PACK_DIR, writeFloorPack, writeParseFloorPack } from "./packs";
import { ratioRow, type BenchRow } from "./result";
import { timedWithCpu } from "./cpu";
import { formatMs, median } from "./stats";

export const FLOOR_RATIO_TARGET = 2.0;
export const FLOOR_RATIO_AT = 1000;
export const GROWTH_TARGET = 5.5;

export interface AnalyzeStackTimes {
  readonly size: number;
  readonly resources: number;
  readonly realMs: number;
  readonly floorMs: number;
  /** The floor pack with as many stack policies as the real pack: what the policy SDK itself costs per policy. */
  readonly sdkFloorMs: number;
  /** The floor pack that also parses each kubesphere.yaml and kubeconfig once (`writeParseFloorPack`). */
  readonly parseFloorMs: number;
  readonly stackPolicies: number;
  readonly realDiagnostics: number;
  /** CPU time (user + system) of the real and the floor pack process during the call, medians; undefined without /proc. */
  readonly realCpuMs?: number;
  readonly floorCpuMs?: number;
  /** Samples behind each median (fewer than asked when a round is slow, see `SLOW_ROUND_MS`). */
  readonly runs: number;
}

/** When one round (a call on each pack) takes longer than this, that round is the only sample (keeps the bench short). */
export const SLOW_ROUND_MS = 20_000;
/** Time allowed for the rounds of one size. */
export const SIZE_BUDGET_MS = 60_000;

/**
 * `AnalyzeStack` over generated fleets, the real pack (configured with its defaults, as the CLI does) against the
 * floor pack, plus the floor pack repeated as many times as the real pack has stack policies (the policy SDK
 * deserializes the whole stack once per stack policy, a cost no pack code can avoid).
 *
 * Each call is the first one of a fresh pack process, as with the engine, which starts the pack for one update and
 * calls AnalyzeStack once: a pack that caches parses across calls would otherwise look free from the second call on.
 * Pack start-up is not timed. Rounds (one call per pack) repeat up to `runs` times within `SIZE_BUDGET_MS`; a size
 * whose first round takes longer than `SLOW_ROUND_MS` is reported from that round alone. The request is encoded once
 * per size (`encodeRequest`), so the figures hold the pack's work (decoding included) plus the local gRPC transfer.
 */
export async function benchAnalyzeStack(sizes: readonly number[], runs: number, certificate: ClientCertificate): Promise<{ rows: BenchRow[]; times: AnalyzeStackTimes[] }> {
  const stackPolicies = stackPolicyCount(REAL_PACK_DIR);
  const floorDir = writeFloorPack();
  const sdkFloorDir = writeFloorPack(stackPolicies);
  const parseFloorDir = writeParseFloorPack();
  const times: AnalyzeStackTimes[] = [];
  for (const size of sizes) {
    const resources = stackResources(generateFleet(size, certificate));
    const request = encodeRequest(resources);
    const real: number[] = [];
    const floor: number[] = [];
    const realCpu: number[] = [];
    const floorCpu: number[] = [];
    const sdkFloor: number[] = [];
    const parseFloor: number[] = [];
    let realDiagnostics = 0;
    const budgetEnd = Date.now() + SIZE_BUDGET_MS;
    while (real.length < runs && (real.length === 0 || Date.now() < budgetEnd)) {
      const roundStart = Date.now();
      const first = await firstCall(REAL_PACK_DIR, request);
      real.push(first.ms);
      if (first.cpuMs !== undefined) realCpu.push(first.cpuMs);
      realDiagnostics = first.diagnostics;
      const floorFirst = await firstCall(floorDir, request);
      floor.push(floorFirst.ms);
      if (floorFirst.cpuMs !== undefined) floorCpu.push(floorFirst.cpuMs);
      sdkFloor.push((await firstCall(sdkFloorDir, request)).ms);
      parseFloor.push((await firstCall(parseFloorDir, request)).ms);
      if (Date.now() - roundStart > SLOW_ROUND_MS) break;
    }
    const cpu = realCpu.length === real.length && floorCpu.length === floor.length ? { realCpuMs: median(realCpu), floorCpuMs: median(floorCpu) } : {};
    times.push({ size, resources: resources.length, realMs: median(real), floorMs: median(floor), sdkFloorMs: median(sdkFloor), parseFloorMs: median(parseFloor), stackPolicies, realDiagnostics, runs: real.length, ...cpu });
  }
  return { rows: analyzeStackRows(times), times };
}

/**
 * How many policies AnalyzeStack runs in the compiled pack: those with `validateStack`. (GetAnalyzerInfo cannot tell:
 * it lists a stack policy that also remediates resources as a resource policy.) Loading the policies starts no server.
 */
function stackPolicyCount(dir: string): number {
  const { allPolicies } = require(join(dir, "bin", "policies", "allPolicies")) as { allPolicies: () => Array<{ validateStack?: unknown }> };
  return allPolicies().filter((p) => typeof p.validateStack === "function").length;
}

/** Starts the pack, sends its default config, times one AnalyzeStack (wall, and the pack process's CPU), stops the pack. */
async function firstCall(dir: string, request: Buffer): Promise<{ ms: number; cpuMs: number | undefined; diagnostics: number }> {
  const pack = await startPolicyPack(dir);
  try {
    await pack.configure();
    const { ms, cpuMs, result } = await timedWithCpu(pack.pid, () => call(pack, request));
    return { ms, cpuMs, diagnostics: result.getDiagnosticsList().length };
  } finally {
    await pack.close();
  }
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
    // Not a target: the same calls in CPU time of the pack processes, which a busy machine's scheduling does not skew.
    ...(t.realCpuMs !== undefined && t.floorCpuMs !== undefined
      ? [
          ratioRow(
            {
              measure: "AnalyzeStack, real pack vs floor pack, CPU time of the pack process",
              size: `${t.size.toLocaleString("en-US")} clusters`,
              value: formatMs(t.realCpuMs),
              baseline: `${formatMs(t.floorCpuMs)} (floor pack)`,
            },
            t.realCpuMs / t.floorCpuMs,
          ),
        ]
      : []),
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
    // Not a target either: the real pack against the least a pack must do that parses each cluster's YAML once.
    ratioRow(
      {
        measure: "AnalyzeStack, real pack vs parse floor (floor pack + one yaml parse of each kubesphere.yaml and kubeconfig)",
        size: `${t.size.toLocaleString("en-US")} clusters`,
        value: formatMs(t.realMs),
        baseline: `${formatMs(t.parseFloorMs)} (parse floor)`,
      },
      t.realMs / t.parseFloorMs,
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

/**
 * The AnalyzeStack request, encoded once. The engine (Go) encodes in a few milliseconds; google-protobuf in this
 * process takes about a second per 1,000 clusters, which would otherwise be timed in every call of both packs.
 */
export function encodeRequest(resources: readonly ResourceInput[]): Buffer {
  return analyzeStackRequestBytes(resources.map(encodeAnalyzerResource));
}

/** AnalyzeStack (or, with `method`, Analyze) with an already encoded request, through the session's own client. */
export function call(pack: PolicyPackSession, request: Buffer, method = ANALYZE_STACK_METHOD): Promise<AnalyzeResponse> {
  return encodedCall(pack.client, method, request);
}
