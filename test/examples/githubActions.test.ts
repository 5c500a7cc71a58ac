/**
 * examples/github-actions: the workflows are valid YAML, the shards workflow runs one job per stack (bounded by
 * max-parallel) before the check across stacks and deploys the host's stack before the shards, and every command it
 * runs is one docs/check.md shows, with flags the check accepts.
 */
import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { parseCheckArgs } from "../../src/check/checkArgs";
import { allStacks } from "../../src/check/stackFile";
import { docText, shellWords } from "../helpers/docs";

const REPO = join(__dirname, "..", "..");
const DIR = join(REPO, "examples", "github-actions");
const SPLIT_FLEET = join(REPO, "examples", "split-fleet");

type Step = { run?: string; uses?: string; with?: Record<string, unknown> };
type Job = { needs?: string | string[]; if?: string; env?: Record<string, string>; steps: Step[]; strategy?: { "max-parallel"?: number; matrix?: { stack?: string[] } } };
type Workflow = { name: string; on: Record<string, unknown>; jobs: Record<string, Job> };

function workflow(file: string): Workflow {
  const document = parseDocument(readFileSync(join(DIR, file), "utf8"));
  if (document.errors.length) throw new Error(`${file}: ${document.errors[0]!.message}`);
  return document.toJS() as Workflow;
}

/** Each command line a job runs (comments and blank lines aside). */
function commands(job: Job): string[] {
  return job.steps.flatMap((s) => (s.run ?? "").split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#")));
}

const shards = workflow("kubesphere-fleet-shards.yml");

test("both workflows are valid YAML with jobs and steps", (t) => {
  for (const file of ["kubesphere-fleet.yml", "kubesphere-fleet-shards.yml"]) {
    const flow = workflow(file);
    t.truthy(flow.name, file);
    t.true(Object.keys(flow.jobs).length > 0, file);
    for (const [name, job] of Object.entries(flow.jobs)) t.true(job.steps.length > 0, `${file} ${name}`);
  }
});

test("the shards workflow: one check job per stack (bounded), then the check across stacks; the host's stack deploys before the shards", (t) => {
  const perStack = shards.jobs["check-stack"]!;
  const stacks = perStack.strategy!.matrix!.stack!;
  t.deepEqual([...stacks].sort(), allStacks(SPLIT_FLEET), "the matrix lists the example's stacks");
  const maxParallel = perStack.strategy!["max-parallel"]!;
  t.true(Number.isInteger(maxParallel) && maxParallel >= 1 && maxParallel < stacks.length, "max-parallel bounds the matrix");
  t.is(perStack.env!["STACK"], "${{ matrix.stack }}");
  t.is(shards.jobs["check-across-stacks"]!.needs, "check-stack");
  t.is(shards.jobs["deploy-host"]!.needs, "check-across-stacks");
  t.is(shards.jobs["deploy-shards"]!.needs, "deploy-host");
  t.is(shards.jobs["deploy-shards"]!.strategy!["max-parallel"], 1);
  for (const job of ["deploy-host", "deploy-shards"]) t.is(shards.jobs[job]!.if, "github.event_name == 'push'");
  t.true(commands(shards.jobs["check-across-stacks"]!).some((c) => c.startsWith("npm run check -- --all-stacks")));
});

test("every command the shards workflow runs is in docs/check.md, and the check accepts its flags", (t) => {
  const doc = docText("docs/check.md");
  const checked: string[] = [];
  for (const [name, job] of Object.entries(shards.jobs)) {
    for (const line of commands(job)) {
      if (line === "npm ci" || line.startsWith("rm -f ")) continue;
      t.true(doc.includes(line), `${name}: \`${line}\` is not in docs/check.md`);
      if (!line.startsWith("npm run check -- ")) continue;
      const argv = shellWords(line.slice("npm run check -- ".length), { STACK: "members-eu" }).map((w) => (w === "env.json" ? join(SPLIT_FLEET, "env.json") : w));
      const args = parseCheckArgs(argv, { projectDir: SPLIT_FLEET, isTty: false, env: {} });
      t.not(args, "help");
      checked.push(line);
    }
  }
  t.is(checked.length, 2, "the per-stack check and the check across stacks");
});
