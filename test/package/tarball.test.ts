/**
 * The package as a user gets it: `npm pack` of the build (`npm run test:package` builds first), installed into an
 * empty folder with `npm install --prefer-offline --ignore-scripts` (npm's cache, no registry round trip when it is
 * warm; no install script runs, so no provider plugin is downloaded). From there: the command through npx, the check
 * of a project of one's own, docs/component.md's component test recipe as written, the pack from
 * node_modules/kubesphere-fleet/policies and a pack of one's own built with `kubesphere-fleet/policies`, both
 * started as the engine starts them and driven over gRPC, and tsc over a program using both entry points.
 */
import test from "ava";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { startPolicyPack } from "../../src/engine";
import { allRules } from "../../src/rules";
import { REPO, runCommand, timeScale, type CliRun } from "../helpers/checkCli";
import { docBlock } from "../helpers/docs";
import { OTHER_FINGERPRINT, SHARED, UNDECIDED, analyzeStack, assertAcmePack, writeAcmePack } from "../helpers/ownPack";

const VERSION = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;

let root: string;
/** The empty project the tarball was installed into. */
let app: string;

/** A command in `cwd`, as a user runs it (no colour). */
function run(command: string, args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<CliRun> {
  return runCommand(command, args, { cwd, env: { ...process.env, NO_COLOR: "1" }, timeoutMs });
}

test.before(async () => {
  for (const built of ["lib/index.js", "policies/bin/policies/index.js", "policies/bin/policies/fleetPolicies.d.ts"]) {
    if (!existsSync(join(REPO, built))) throw new Error(`${built} is missing: run \`npm run build\` (npm run test:package does).`);
  }
  root = mkdtempSync(join(tmpdir(), "ksf-package-"));
  // --ignore-scripts: the build is there already, and `prepare` would remove it under the other tests' feet.
  const pack = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", root], REPO);
  if (pack.code !== 0) throw new Error(`npm pack failed:\n${pack.stderr}`);
  const tarball = join(root, (JSON.parse(pack.stdout) as { filename: string }[])[0]!.filename);
  app = join(root, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), `${JSON.stringify({ name: "own-fleet", version: "1.0.0", private: true }, null, 2)}\n`);
  const install = await run("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", tarball], app, 600_000);
  if (install.code !== 0) throw new Error(`npm install of the tarball failed:\n${install.stderr}`);
});
test.after.always(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

test("the tarball holds the build, the launcher, LICENSE and CHANGELOG, the README and the docs it links, and no source or test", (t) => {
  const installed = join(app, "node_modules", "kubesphere-fleet");
  for (const file of ["LICENSE", "CHANGELOG.md", "README.md", "scripts/cli.js", "lib/index.d.ts", "policies/PulumiPolicy.yaml", "policies/bin/policies/index.js"]) {
    t.true(existsSync(join(installed, file)), file);
  }
  const linked = [...readFileSync(join(installed, "README.md"), "utf8").matchAll(/\]\((docs\/[^)#\s]+)/g)].map((m) => m[1]!);
  t.true(linked.length > 0, "the README links its docs");
  for (const doc of linked) t.true(existsSync(join(installed, doc)), `${doc}, linked from the README`);
  for (const absent of ["src", "test", "stacks", "scripts/real-tools"]) t.false(existsSync(join(installed, absent)), absent);
  const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as {
    private?: boolean;
    dependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
    peerDependenciesMeta: Record<string, { optional?: boolean }>;
  };
  t.is(manifest.private, undefined);
  t.deepEqual(Object.keys(manifest.peerDependencies).sort(), ["@kubernetes/client-node", "@pulumi/kubernetes", "@pulumi/pulumi"]);
  // Only the live audit needs client-node: an optional peer, which npm leaves out unless the user installs it.
  t.is(manifest.peerDependenciesMeta["@kubernetes/client-node"]?.optional, true);
  t.false("@kubernetes/client-node" in manifest.dependencies);
  t.false(existsSync(join(app, "node_modules", "@kubernetes", "client-node")));
  // The peers were installed once, at the top, where the program's own code finds the same copy.
  t.false(existsSync(join(installed, "node_modules", "@pulumi", "pulumi")));
  t.true(existsSync(join(app, "node_modules", "@pulumi", "pulumi", "package.json")));
});

test("npx kubesphere-fleet: --version, --help, check --help; Node's --env-file reaches the check, not Node", async (t) => {
  const version = await run("npx", ["kubesphere-fleet", "--version"], app);
  t.is(version.code, 0, version.stderr);
  t.is(version.stdout, `${VERSION}\n`);
  const help = await run("npx", ["kubesphere-fleet", "--help"], app);
  t.is(help.code, 0, help.stderr);
  t.regex(help.stdout, /Usage: kubesphere-fleet <check\|audit>/);
  const checkHelp = await run("npx", ["kubesphere-fleet", "check", "--help"], app);
  t.is(checkHelp.code, 0, checkHelp.stderr);
  t.regex(checkHelp.stdout, /^Usage: kubesphere-fleet check --stack <name>/);
  const auditHelp = await run("npx", ["kubesphere-fleet", "audit", "--help"], app);
  t.is(auditHelp.code, 0, auditHelp.stderr);
  t.regex(auditHelp.stdout, /^Usage: kubesphere-fleet audit --stack <name>/);
  // The bin's `#!/usr/bin/env -S node --` ends Node's options: with a plain `#!/usr/bin/env node`, Node itself reads
  // an --env-file after the script's name (a missing one is Node's exit 9, a NODE_OPTIONS line in it runs code).
  // npx is a Node script too: its own Node reads one from npx's command line, unless `npx --` ends it (docs/security.md).
  const marker = join(root, "marker");
  writeFileSync(join(root, "x.js"), `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "ran");\n`);
  writeFileSync(join(app, "node.env"), `NODE_OPTIONS=--require ${join(root, "x.js")}\n`);
  const bin = join(app, "node_modules", ".bin", "kubesphere-fleet");
  for (const [command, ...prefix] of [[bin], ["npx", "--", "kubesphere-fleet"]] as const) {
    for (const file of ["node.env", "missing.env"]) {
      const envFile = await run(command, [...prefix, "check", "--stack", "dev", "--env-file", file], app);
      t.is(envFile.code, 2, `${command}: not Node's exit 9: ${envFile.stderr}`);
      t.regex(envFile.stderr, /--env-file is Node's own option .* Fix: pass --esc-env-file <file>/);
    }
  }
  t.false(existsSync(marker), "x.js ran: Node read the env file");
});

test("installed, the check reads stacks/ of the current folder: a project of one's own", async (t) => {
  const missing = await run("npx", ["kubesphere-fleet", "check", "--stack", "dev"], app);
  t.is(missing.code, 2);
  t.true(missing.stderr.includes(join(app, "stacks", "Pulumi.dev.yaml")), missing.stderr);
  const project = join(root, "project");
  for (const entry of ["Pulumi.yaml", "stacks/Pulumi.dev.yaml", "stacks/dev"]) cpSync(join(REPO, entry), join(project, entry), { recursive: true });
  const checked = await run(join(app, "node_modules", ".bin", "kubesphere-fleet"), ["check", "--stack", "dev", "--json"], project);
  t.is(checked.code, 0, checked.stderr);
  const report = JSON.parse(checked.stdout) as { stackFile: string; clusters: unknown[] };
  t.is(report.stackFile, join(project, "stacks", "Pulumi.dev.yaml"));
  t.is(report.clusters.length, 3);
});

test("the live audit without @kubernetes/client-node says how to install it (exit 2); with it installed beside, it reads the cluster", async (t) => {
  const kubeconfig = join(root, "audit-kubeconfig.yaml");
  // A cluster nobody listens on: the audit's verdict is "unreachable", which needs client-node to load the kubeconfig.
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "edge", cluster: { server: "https://127.0.0.1:9" } }],
      contexts: [{ name: "edge", context: { cluster: "edge", user: "edge" } }],
      "current-context": "edge",
      users: [{ name: "edge", user: { token: "package-test-token" } }],
    }),
  );
  const without = await run("npx", ["kubesphere-fleet", "audit", "--kubeconfig", kubeconfig], app);
  t.is(without.code, 2, without.stderr);
  t.true(without.stderr.includes("npm install @kubernetes/client-node@^1.4.0"), without.stderr);
  t.false(/\n\s+at /.test(without.stderr), "no stack trace");
  // The same install with the optional peer added, as the error says.
  const withClient = join(root, "app-audit");
  cpSync(app, withClient, { recursive: true, verbatimSymlinks: true });
  const install = await run("npm", ["install", "--prefer-offline", "--ignore-scripts", "--no-audit", "--no-fund", "@kubernetes/client-node@^1.4.0"], withClient, 600_000);
  t.is(install.code, 0, install.stderr);
  const audited = await run("npx", ["kubesphere-fleet", "audit", "--kubeconfig", kubeconfig], withClient);
  t.is(audited.code, 1, audited.stderr);
  t.regex(audited.stdout, /edge\s+\[unreachable\]/);
  t.false(`${audited.stdout}${audited.stderr}`.includes("package-test-token"));
});

test("docs/component.md's recipe for testing a program with the component runs, as written, with node --test", async (t) => {
  writeFileSync(join(app, "fleet.test.js"), docBlock("docs/component.md", "### Testing a program that uses the component", "js"));
  const result = await run(process.execPath, ["--test", "fleet.test.js"], app);
  t.is(result.code, 0, `${result.stdout}\n${result.stderr}`);
  t.regex(result.stdout, /# pass 2\n/);
  t.regex(result.stdout, /# fail 0\n/);
});

test("tsc: both entry points resolve with their typings; provider and kubeconfig together, or neither, do not compile", async (t) => {
  writeFileSync(
    join(app, "program.ts"),
    `import * as k8s from "@pulumi/kubernetes";
import { KubeSphereFleet, type FleetOutputs } from "kubesphere-fleet";
import { kubesphereFleetPolicies } from "kubesphere-fleet/policies";

export const policies = kubesphereFleetPolicies({ enforcementLevel: "advisory", config: { certificateExpiryWindowDays: 7 } });
const provider = new k8s.Provider("host", {});
const fleet = new KubeSphereFleet("ok", { clusters: [{ name: "host", role: "host", version: "4.1", provider }, { name: "m", role: "member", version: "3.4", kubeconfig: "..." }] });
export const declared: Promise<FleetOutputs> = fleet.declared();
// @ts-expect-error provider and kubeconfig exclude each other
new KubeSphereFleet("both", { clusters: [{ name: "host", role: "host", version: "4.1", provider, kubeconfig: "..." }] });
// @ts-expect-error one of provider or kubeconfig is required
new KubeSphereFleet("neither", { clusters: [{ name: "host", role: "host", version: "4.1" }] });
// @ts-expect-error no fleet policy takes this setting
kubesphereFleetPolicies({ config: { jwtSecret: "x" } });
`,
  );
  const compilerOptions = { noEmit: true, strict: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext", skipLibCheck: true, types: [] };
  writeFileSync(join(app, "tsconfig.json"), `${JSON.stringify({ compilerOptions, files: ["program.ts"] }, null, 2)}\n`);
  const tsc = join(REPO, "node_modules", "typescript", "bin", "tsc");
  const compiled = await run(process.execPath, [tsc, "-p", "."], app);
  t.is(compiled.code, 0, compiled.stdout);
  // And the check is real: without the directives, those lines are errors.
  writeFileSync(join(app, "program.ts"), readFileSync(join(app, "program.ts"), "utf8").replace(/\/\/ @ts-expect-error.*\n/g, ""));
  const refused = await run(process.execPath, [tsc, "-p", "."], app);
  t.is(refused.code, 2);
  t.is(refused.stdout.match(/program\.ts\(\d+,\d+\): error/g)?.length, 3, refused.stdout);
});

test.serial("the pack runs from node_modules/kubesphere-fleet/policies, started as the engine starts it", async (t) => {
  const pack = await startPolicyPack(join(app, "node_modules", "kubesphere-fleet", "policies"), { startTimeoutMs: Math.round(60_000 * timeScale()) });
  t.teardown(() => pack.close());
  const info = await pack.getAnalyzerInfo();
  t.is(info.name, "kubesphere-fleet");
  t.deepEqual(info.policies.map((p) => p.name), [...allRules().map((r) => r.id), UNDECIDED]);
  t.deepEqual(await analyzeStack(pack), []);
  await pack.configure({ [SHARED]: { expectedJwtSecretFingerprint: OTHER_FINGERPRINT } });
  const diagnostics = await analyzeStack(pack);
  t.deepEqual(diagnostics.map((d) => [d.policyName, d.enforcementLevel]), [[SHARED, "mandatory"]]);
});

test.serial("kubesphereFleetPolicies in a pack of one's own, resolved from the installed package", async (t) => {
  const pack = await startPolicyPack(writeAcmePack(join(app, "acme-pack")), { startTimeoutMs: Math.round(60_000 * timeScale()) });
  t.teardown(() => pack.close());
  await assertAcmePack(t, pack);
});

test("kubesphere-fleet/policies resolves through the exports map to the library, which starts nothing", async (t) => {
  // Resolved in the app as a user's code resolves it (from here, Node would resolve the name to this repository).
  const resolved = await run(process.execPath, ["-p", 'const p = require("kubesphere-fleet/policies"); require.resolve("kubesphere-fleet/policies") + " " + p.kubesphereFleetPolicies().length'], app);
  t.is(resolved.code, 0, resolved.stderr);
  t.is(resolved.stdout, `${join(app, "node_modules", "kubesphere-fleet", "policies", "bin", "policies", "fleetPolicies.js")} ${allRules().length + 1}\n`);
});

test("installed, the check runs a program of one's own that uses the installed component: check --program . with the @pulumi/pulumi it resolves, from the installed CLI and from this repository's (another copy of the SDK)", async (t) => {
  const program = join(root, "own-program");
  mkdirSync(program);
  // The program folder resolves the installed package and its @pulumi/* peers through the app's node_modules.
  cpSync(join(app, "package.json"), join(program, "package.json"));
  symlinkSync(join(app, "node_modules"), join(program, "node_modules"), "dir");
  cpSync(join(REPO, "stacks", "dev", "kubeconfigs"), join(program, "kubeconfigs"), { recursive: true });
  cpSync(join(REPO, "examples", "own-program", "live", "example"), join(program, "live", "dev"), { recursive: true });
  writeFileSync(join(program, "Pulumi.yaml"), "name: acme-platform\nruntime: nodejs\n");
  writeFileSync(join(program, "Pulumi.dev.yaml"), "config:\n  acme-platform:jwtSecret: fixtureJwtSecretAAAAAAAAAAAAAAAA\n");
  // JavaScript: the app has no typescript of its own (the SDK's vendored ts-node is registered, as the language host does, and compiles nothing here).
  writeFileSync(
    join(program, "index.js"),
    `const fs = require("node:fs");
const k8s = require("@pulumi/kubernetes");
const pulumi = require("@pulumi/pulumi");
const { KubeSphereFleet } = require("kubesphere-fleet");

const kubeconfig = (file) => fs.readFileSync("kubeconfigs/" + file, "utf8");
const host = new k8s.Provider("host", { kubeconfig: kubeconfig("host.yaml"), context: "host-admin" });
const fleet = new KubeSphereFleet("kubesphere", {
  clusters: [
    { name: "host", role: "host", version: "3.4", provider: host },
    { name: "edge-2", role: "member", version: "4.1", kubeconfig: kubeconfig("member-2.yaml") },
  ],
  jwtSecret: new pulumi.Config().requireSecret("jwtSecret"),
});
exports.clusters = fleet.clusters;
`,
  );
  const checked = await run(join(app, "node_modules", ".bin", "kubesphere-fleet"), ["check", "--program", ".", "--stack", "dev", "--json"], program, 300_000);
  t.is(checked.code, 0, checked.stderr);
  const report = JSON.parse(checked.stdout) as { stackFile: string; clusters: { name: string }[]; notes: string[] };
  t.is(report.stackFile, join(program, "Pulumi.dev.yaml"));
  t.deepEqual(report.clusters.map((c) => c.name).sort(), ["edge-2", "host"]);
  t.false(report.notes.some((n) => n.includes("is not installed")), "the program used the installed package");
  // The check of this repository (its own @pulumi/pulumi) on the same program (the app's): two copies of the SDK, one
  // installing the mocks and one running the program, which still sees them (the SDK's state is on Node's global).
  const sdk = (from: string) => realpathSync(require.resolve("@pulumi/pulumi/package.json", { paths: [from] }));
  t.not(sdk(program), sdk(REPO));
  const fromRepo = await run(process.execPath, ["--", join(REPO, "scripts", "cli.js"), "check", "--program", program, "--stack", "dev", "--json"], REPO, 300_000);
  t.is(fromRepo.code, 0, fromRepo.stderr);
  t.deepEqual((JSON.parse(fromRepo.stdout) as typeof report).clusters.map((c) => c.name).sort(), ["edge-2", "host"]);
});
