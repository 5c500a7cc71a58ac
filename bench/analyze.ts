import { startPolicyPack, type ResourceInput } from "../src/engine";
import { analyzeRequest } from "../src/engine/analyzerMessages";
import { ANALYZE_METHOD, call } from "./analyzeStack";
import type { ClientCertificate } from "./certificate";
import { generateFleet, stackResources } from "./fleet";
import { REAL_PACK_DIR, writeResourceFloorPack } from "./packs";
import { ratioRow, type BenchRow } from "./result";
import { formatMs, median, timed } from "./stats";

/**
 * Analyze of every resource of a generated fleet, one call each in registration order, as the engine sends them
 * during a preview: the real pack (its rules of scope `resource` judge each provider's certificate and each object's
 * own kubesphere.yaml here) against a floor pack whose one resource policy reads every property. Each round starts
 * both packs afresh; requests are encoded beforehand. Informational: the issue sets no target for Analyze, but the
 * work the real pack does per resource shows here rather than in AnalyzeStack.
 */
export async function benchAnalyze(sizes: readonly number[], runs: number, certificate: ClientCertificate): Promise<{ rows: BenchRow[]; realDiagnostics: number[] }> {
  const floorDir = writeResourceFloorPack();
  const rows: BenchRow[] = [];
  const realDiagnostics: number[] = [];
  for (const size of sizes) {
    const requests = stackResources(generateFleet(size, certificate)).map(encodeAnalyzeRequest);
    const real: number[] = [];
    const floor: number[] = [];
    let diagnostics = 0;
    for (let round = 0; round < runs; round++) {
      const first = await everyResource(REAL_PACK_DIR, requests);
      real.push(first.ms);
      diagnostics = first.diagnostics;
      floor.push((await everyResource(floorDir, requests)).ms);
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
      ),
    );
  }
  return { rows, realDiagnostics };
}

function encodeAnalyzeRequest(resource: ResourceInput): Buffer {
  const bytes = analyzeRequest(resource).serializeBinary();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Starts the pack, sends its default config, times Analyze of every request in turn, stops the pack. */
async function everyResource(dir: string, requests: readonly Buffer[]): Promise<{ ms: number; diagnostics: number }> {
  const pack = await startPolicyPack(dir);
  try {
    await pack.configure();
    const { ms, result } = await timed(async () => {
      let diagnostics = 0;
      for (const request of requests) diagnostics += (await call(pack, request, ANALYZE_METHOD)).getDiagnosticsList().length;
      return diagnostics;
    });
    return { ms, diagnostics: result };
  } finally {
    await pack.close();
  }
}
