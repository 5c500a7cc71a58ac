/**
 * examples/cronjob/Dockerfile and the root .dockerignore, without a Docker daemon: the build context is computed from
 * .dockerignore with Docker's rules (last matching pattern wins; a pattern matching a folder covers what is inside),
 * the build stage's `npm run build` runs on exactly that context, and the image's files (the final stage's
 * `COPY --from=build` lines) run the audit through its ENTRYPOINT with node alone, against a loopback API server.
 */
import test from "ava";
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeCertificateAuthority, type CertificateAuthority } from "../helpers/certificates";
import { REPO, runNode } from "../helpers/checkCli";
import { contextArgs, healthyFleetSpecs, PATIENT_TIMEOUT_ARGS, startFleet, type LiveFleet } from "../audit/liveFleet";

const DOCKERFILE = readFileSync(join(REPO, "examples", "cronjob", "Dockerfile"), "utf8");
const PATTERNS = readFileSync(join(REPO, ".dockerignore"), "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"));

/** Docker's rule for the patterns this file uses (`*`, `path`, `path/`): the last pattern matching the path or a parent wins. */
function sent(path: string): boolean {
  let included = true;
  for (const raw of PATTERNS) {
    const negated = raw.startsWith("!");
    const pattern = (negated ? raw.slice(1) : raw).replace(/\/$/, "");
    const parts = path.split("/");
    const matches = parts.some((_, i) => {
      const prefix = parts.slice(0, i + 1).join("/");
      return pattern === "*" ? i === 0 : prefix === pattern;
    });
    if (matches) included = negated;
  }
  return included;
}

/** Every file of the repository that `docker build .` would send, as relative paths. */
function buildContext(): string[] {
  const files: string[] = [];
  const visit = (relative: string) => {
    for (const entry of readdirSync(join(REPO, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (sent(path) || PATTERNS.some((p) => p.startsWith(`!${path}/`))) visit(path);
      } else if (sent(path)) files.push(path);
    }
  };
  visit("");
  return files;
}

let ca: CertificateAuthority;
let fleet: LiveFleet;
let work: string;

test.before(async () => {
  ca = makeCertificateAuthority();
  fleet = await startFleet(ca, healthyFleetSpecs());
  work = mkdtempSync(join(tmpdir(), "kubesphere-fleet-image-"));
});

test.after.always(async () => {
  await fleet?.close();
  ca?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("docker build sends the sources and package files only: no node_modules, .git, stacks, kubeconfigs or tests", (t) => {
  const context = buildContext();
  t.true(context.includes("package.json") && context.includes("package-lock.json") && context.includes("src/cli/audit.ts") && context.includes("policies/index.ts"));
  for (const path of context) {
    t.notRegex(path, /^(node_modules|\.git|stacks|test|bench|examples|lib)\/|^policies\/(bin|node_modules)\/|\.kubeconfig$|(^|\/)kubeconfigs\//i, path);
  }
});

test("the Dockerfile compiles in a build stage and runs the compiled audit with node in the image, as a non-root user, no tsx", (t) => {
  const entrypoint = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(DOCKERFILE)![1]!) as string[];
  t.is(entrypoint[0], "node");
  t.false(entrypoint.some((a) => /tsx|\.ts$/.test(a)), entrypoint.join(" "));
  t.regex(DOCKERFILE, /^RUN npm ci .*&& npm prune --omit=dev/m);
  t.regex(DOCKERFILE, /^USER 65534:65534$/m);
});

test("the image's files, built from exactly the build context, run the audit through the ENTRYPOINT and write its metrics", async (t) => {
  // Stage one: the context as Docker sends it, then `npm ci` (here: the repository's installed node_modules) and the build.
  const context = join(work, "context");
  for (const path of buildContext()) {
    mkdirSync(join(context, path, ".."), { recursive: true });
    cpSync(join(REPO, path), join(context, path));
  }
  symlinkSync(join(REPO, "node_modules"), join(context, "node_modules"), "dir");
  const build = spawnSync("npm", ["run", "--silent", "build"], { cwd: context, encoding: "utf8", timeout: 300_000 });
  t.is(build.status, 0, `${build.stdout}${build.stderr}`);
  // Stage two: only what the final stage copies.
  const image = join(work, "image");
  const finalStage = DOCKERFILE.slice(DOCKERFILE.lastIndexOf("\nFROM "));
  const copies = [...finalStage.matchAll(/^COPY --from=build \/app\/(\S+) \.\/(\S+)$/gm)].map((m) => [m[1]!, m[2]!] as const);
  t.deepEqual(copies.map(([from]) => from).sort(), ["node_modules", "package.json", "policies/bin"]);
  for (const [from, to] of copies) {
    mkdirSync(join(image, to, ".."), { recursive: true });
    if (from === "node_modules") symlinkSync(join(REPO, "node_modules"), join(image, to), "dir");
    else cpSync(join(context, from), join(image, to), { recursive: true });
  }
  t.false(existsSync(join(image, "src")), "no TypeScript source in the image");
  const entrypoint = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(DOCKERFILE)![1]!) as string[];
  const textfile = join(work, "textfile");
  mkdirSync(textfile);
  const run = await runNode([...entrypoint.slice(1), ...PATIENT_TIMEOUT_ARGS, "--kubeconfig", fleet.kubeconfig, ...contextArgs(["host", "member-1", "member-2"]), "--fleet", "prod", "--prometheus-textfile", textfile], {
    cwd: image,
    env: { PATH: process.env["PATH"], NO_COLOR: "1" },
  });
  t.is(run.code, 0, run.stdout + run.stderr);
  t.regex(run.stdout, /KubeSphere fleet audit: 3 clusters, 3 read, 0 violations/);
  t.deepEqual(readdirSync(textfile), ["kubesphere-fleet-prod.prom"]);
});
