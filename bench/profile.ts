import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { startPolicyPack } from "../src/engine";
import { call, encodeRequest } from "./analyzeStack";
import type { ClientCertificate } from "./certificate";
import { generateFleet, stackResources } from "./fleet";
import { REAL_PACK_DIR } from "./packs";
import { benchDir, REPO_ROOT } from "./paths";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function, largest first. */
export interface HotFunction {
  readonly name: string;
  readonly where: string;
  readonly selfMs: number;
  readonly share: number;
}

/**
 * Profiles the real pack over one AnalyzeStack call on a fleet of `size`, and returns the hottest functions by self
 * time, start-up left out. Node refuses `--cpu-prof` in NODE_OPTIONS, so a `--require`d script runs the same V8
 * profiler through `node:inspector` and writes the profile when the pack is stopped (SIGTERM). The raw `.cpuprofile` stays in
 * `.bench-tmp/profile/` for Chrome DevTools.
 */
export async function profileAnalyzeStack(size: number, certificate: ClientCertificate, top = Number.POSITIVE_INFINITY): Promise<{ file: string; hot: HotFunction[] }> {
  const dir = benchDir("profile");
  for (const file of readdirSync(dir)) rmSync(join(dir, file), { force: true });
  const profiler = join(dir, "profiler.js");
  writeFileSync(profiler, profilerScript(join(dir, "pack.cpuprofile")));
  const pack = await startPolicyPack(REAL_PACK_DIR, { env: { NODE_OPTIONS: `--require=${profiler}` } });
  try {
    await pack.configure();
    await call(pack, encodeRequest(stackResources(generateFleet(size, certificate))));
  } finally {
    await pack.close();
  }
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`no .cpuprofile written in ${dir}`);
  return { file: join(dir, file), hot: hotFunctions(JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile, top) };
}

/** Self time grouped by package or source folder (`yaml`, `@pulumi/policy`, `policies/bin/src/model`, `node:internal`). */
export function hotAreas(hot: readonly HotFunction[]): Array<{ area: string; selfMs: number; share: number }> {
  const areas = new Map<string, { selfMs: number; share: number }>();
  for (const h of hot) {
    const path = h.where.replace(/:\d+$/, "");
    const area = path === "" ? h.name : path.startsWith("node:") ? path.split("/").slice(0, 2).join("/") : path.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, "$1").replace(/\/[^/]+$/, "");
    const sum = areas.get(area) ?? { selfMs: 0, share: 0 };
    areas.set(area, { selfMs: sum.selfMs + h.selfMs, share: sum.share + h.share });
  }
  return [...areas.entries()].map(([area, v]) => ({ area, ...v })).sort((a, b) => b.selfMs - a.selfMs);
}

export function hotFunctions(profile: CpuProfile, top: number): HotFunction[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || "(anonymous)"}\t${url ? `${relative(REPO_ROOT, url.replace(/^file:\/\//, ""))}:${lineNumber + 1}` : ""}`;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    self.set(key, (self.get(key) ?? 0) + ms);
    total += ms;
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, selfMs]) => {
      const [name, where] = key.split("\t") as [string, string];
      return { name, where, selfMs, share: selfMs / total };
    });
}

/**
 * A preload script: starts the V8 CPU profiler when the pack prints its port (so start-up is left out), and on
 * SIGTERM writes the profile to `out` and exits.
 */
function profilerScript(out: string): string {
  return `"use strict";
const inspector = require("node:inspector");
const fs = require("node:fs");
const session = new inspector.Session();
session.connect();
let started = false;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  if (!started && /^\\s*\\d+\\s*$/.test(String(chunk))) {
    started = true;
    session.post("Profiler.enable", () => session.post("Profiler.setSamplingInterval", { interval: 500 }, () => session.post("Profiler.start")));
  }
  return write(chunk, ...rest);
};
process.on("SIGTERM", () => {
  if (!started) process.exit(0);
  session.post("Profiler.stop", (err, result) => {
    if (!err) fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify(result.profile));
    process.exit(0);
  });
});
`;
}
