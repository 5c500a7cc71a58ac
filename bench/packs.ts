import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchDir, REPO_ROOT } from "./paths";

/** The real pack, built by `npm run build` into policies/bin. */
export const REAL_PACK_DIR = join(REPO_ROOT, "policies");

/**
 * A one-policy pack, precompiled JS like the real one (package.json `main` → bin/index.js), in
 * `.bench-tmp/packs/one-policy`, resolving @pulumi/policy from the repo's node_modules. Its cold start is the floor
 * the real pack's is compared with.
 */
export function writeOnePolicyPack(): string {
  return writePack("one-policy", `"use strict";
const { PolicyPack } = require("@pulumi/policy");
new PolicyPack("bench-one-policy", {
  policies: [
    {
      name: "bench-no-op",
      description: "Reads nothing and reports nothing.",
      enforcementLevel: "advisory",
      validateResource: () => {},
    },
  ],
});
`);
}

/** JavaScript for the generated floor packs: visits every property, the least any stack policy must do. */
const READ_ALL = `function readAll(value) {
  if (value === null || typeof value !== "object") return 1;
  let count = 0;
  for (const key of Object.keys(value)) count += readAll(value[key]);
  return count;
}`;

/**
 * A floor pack whose one stack policy reads every property of every resource (and of its provider), the least work
 * any stack policy over the fleet must do. AnalyzeStack on the real pack is compared with it.
 */
export function writeFloorPack(policyCount = 1): string {
  return writePack(policyCount === 1 ? "floor" : `floor-${policyCount}`, `"use strict";
const { PolicyPack } = require("@pulumi/policy");
${READ_ALL}
new PolicyPack("bench-floor", {
  policies: Array.from({ length: ${policyCount} }, (_, i) => (
    {
      name: "bench-read-every-property-" + i,
      description: "Reads every property of every resource and reports nothing.",
      enforcementLevel: "advisory",
      validateStack: (args) => {
        let count = 0;
        for (const resource of args.resources) {
          count += readAll(resource.props);
          if (resource.provider) count += readAll(resource.provider.props);
        }
        if (count < 0) throw new Error("unreachable");
      },
    })),
});
`);
}

/**
 * A floor pack for Analyze: one resource policy that reads every property of the resource and of its provider, the
 * least any resource policy must do. Analyze of every resource on the real pack is compared with it.
 */
export function writeResourceFloorPack(): string {
  return writePack("resource-floor", `"use strict";
const { PolicyPack } = require("@pulumi/policy");
${READ_ALL}
new PolicyPack("bench-resource-floor", {
  policies: [
    {
      name: "bench-read-every-property-of-the-resource",
      description: "Reads every property of the resource and of its provider and reports nothing.",
      enforcementLevel: "advisory",
      validateResource: (args) => {
        let count = readAll(args.props);
        if (args.provider) count += readAll(args.provider.props);
        if (count < 0) throw new Error("unreachable");
      },
    },
  ],
});
`);
}

/**
 * A parse floor: one stack policy that reads every property, like the floor pack, and also parses each
 * kubesphere.yaml and each provider's kubeconfig once with \`yaml\`: the least one stack policy judging all of them
 * would do. (The real pack judges kubeconfigs per provider resource, in Analyze, instead.)
 */
export function writeParseFloorPack(): string {
  return writePack("parse-floor", `"use strict";
const { PolicyPack } = require("@pulumi/policy");
const { parse } = require("yaml");
${READ_ALL}
new PolicyPack("bench-parse-floor", {
  policies: [
    {
      name: "bench-read-and-parse",
      description: "Reads every property and parses every kubesphere.yaml and kubeconfig once; reports nothing.",
      enforcementLevel: "advisory",
      validateStack: (args) => {
        let count = 0;
        const providers = new Set();
        for (const resource of args.resources) {
          count += readAll(resource.props);
          const data = resource.props.data;
          if (data && typeof data["kubesphere.yaml"] === "string") count += readAll(parse(data["kubesphere.yaml"]));
          const provider = resource.type === "pulumi:providers:kubernetes" ? resource : undefined;
          if (provider && !providers.has(provider.urn) && typeof provider.props.kubeconfig === "string") {
            providers.add(provider.urn);
            count += readAll(parse(provider.props.kubeconfig));
          }
          if (resource.provider) count += readAll(resource.provider.props);
        }
        if (count < 0) throw new Error("unreachable");
      },
    },
  ],
});
`);
}

function writePack(name: string, indexJs: string): string {
  const dir = benchDir("packs", name);
  mkdirSync(join(dir, "bin"), { recursive: true });
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name: `bench-${name}`, version: "0.0.0", private: true, main: "bin/index.js" }, null, 2)}\n`);
  writeFileSync(join(dir, "PulumiPolicy.yaml"), `runtime: nodejs\ndescription: Benchmark baseline pack (${name}).\n`);
  writeFileSync(join(dir, "bin", "index.js"), indexJs);
  return dir;
}
