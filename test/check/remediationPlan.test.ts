/**
 * A policy configured `remediate` changes a resource before it is analysed and applied (issue 21, item 4): the check
 * runs Remediate, then Analyze on the remediated inputs, as the engine does, and its plan is made from what
 * `pulumi up` would apply, naming the remediation. A real pack (its own process, the Pulumi policy SDK) with one
 * remediating policy, against the dev stack and its live snapshot.
 */
import test from "ava";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_DIR } from "../../src/cli/projectDir";
import { formatText } from "../../src/check/formatText";
import { runCheck } from "../../src/check/runCheck";

const POLICY = "test-shorten-access-token-max-age";

/** A pack whose one policy, at `remediate`, sets accessTokenMaxAge to 5m in any kubesphere.yaml it is given. */
function remediatingPack(): string {
  const dir = mkdtempSync(join(tmpdir(), "ksf-remediating-pack-"));
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "remediating-pack", version: "0.0.1", main: "index.js" }));
  writeFileSync(join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
  writeFileSync(
    join(dir, "index.js"),
    `const { PolicyPack } = require("@pulumi/policy");
new PolicyPack("remediating-pack", {
  policies: [{
    name: ${JSON.stringify(POLICY)},
    description: "Sets accessTokenMaxAge to 5m.",
    enforcementLevel: "remediate",
    validateResource: () => {},
    remediateResource: (args) => {
      const data = args.props.data;
      const text = data && data["kubesphere.yaml"];
      if (typeof text !== "string" || !/accessTokenMaxAge: /.test(text)) return undefined;
      data["kubesphere.yaml"] = text.replace(/accessTokenMaxAge: .*/, "accessTokenMaxAge: 5m");
      return args.props;
    },
  }],
});
`,
  );
  symlinkSync(join(PROJECT_DIR, "node_modules"), join(dir, "node_modules"), "dir");
  return dir;
}

test("the plan is made from the remediated inputs, and names the remediation and what it changed", async (t) => {
  const pack = remediatingPack();
  t.teardown(() => rmSync(pack, { recursive: true, force: true }));
  const report = await runCheck({ stack: "dev", projectDir: PROJECT_DIR, liveDir: join(PROJECT_DIR, "stacks", "dev", "live"), packDir: pack, env: {} });
  const remediated = report.clusters.flatMap((c) => c.resources.filter((r) => r.remediations).map((r) => ({ cluster: c.name, resource: r })));
  t.true(remediated.length > 0, JSON.stringify(report.clusters.map((c) => c.resources.map((r) => r.name))));
  for (const { cluster, resource } of remediated) {
    t.deepEqual(resource.remediations, [{ policy: POLICY, changed: ["data.kubesphere.yaml"] }], resource.name);
    t.like(report.clusters.find((c) => c.name === cluster)!.accessTokenMaxAge, { desired: "5m" }, cluster);
  }
  t.regex(formatText(report), new RegExp(`ConfigMapPatch member-2-kubesphere-config → .*\\n +remediated by ${POLICY} before analysis: data\\.kubesphere\\.yaml`));
});
