/**
 * docs/component.md's recipe for testing one's own program with the component ("Testing a program that uses the
 * component"), as written, with `node --test`, in a project where `kubesphere-fleet` is this repository's build (run
 * `npm run build` first). The installed tarball runs it too (test/package).
 */
import test from "ava";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO, runNode } from "../helpers/checkCli";
import { linkedProject } from "../helpers/ownPack";
import { docBlock } from "../helpers/docs";

test("the component test recipe of docs/component.md passes: the fleet's outputs awaited, a bad version's error awaited", async (t) => {
  if (!existsSync(join(REPO, "lib", "index.js"))) return t.fail("lib/ is missing: run `npm run build` first.");
  const project = linkedProject("ksf-recipe-");
  t.teardown(() => project.dispose());
  writeFileSync(join(project.dir, "fleet.test.js"), docBlock("docs/component.md", "### Testing a program that uses the component", "js"));
  const run = await runNode(["--test", "fleet.test.js"], { cwd: project.dir });
  t.is(run.code, 0, `${run.stdout}\n${run.stderr}`);
  t.regex(run.stdout, /# pass 2\n/);
  t.regex(run.stdout, /# fail 0\n/);
});
