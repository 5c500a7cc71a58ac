/**
 * `npm run check --policy-pack-config` takes what `pulumi preview --policy-pack-config` takes (issue 21, item 3;
 * pulumi/pulumi v3.248.0 pkg/resource/analyzer/config.go): an empty file, `all` as an object, a name the pack does not
 * have (passed through, with a note).
 */
import test from "ava";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCheckInProcess } from "../helpers/checkCli";

const dir = mkdtempSync(join(tmpdir(), "ksf-policy-config-"));
test.after.always(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

interface Report {
  violations: { policy: string; enforcementLevel: string; message: string }[];
  notes: string[];
}

const check = (config?: string) => runCheckInProcess(["--stack", "dev", "--json", ...(config ? ["--policy-pack-config", config] : [])]);

test("an empty file is no config, as pulumi preview reads it", async (t) => {
  const [none, empty] = await Promise.all([check(), check(file("empty.json", "\n"))]);
  t.is(empty.code, none.code, empty.stderr);
  t.deepEqual((JSON.parse(empty.stdout) as Report).violations, (JSON.parse(none.stdout) as Report).violations);
});

test("all as an object with enforcementLevel, and a policy the pack does not have, are accepted; the unknown name is a note", async (t) => {
  const [asLevel, asObject] = await Promise.all([
    check(file("level.json", JSON.stringify({ all: "mandatory" }))),
    check(file("object.json", JSON.stringify({ all: { enforcementLevel: "mandatory" }, "kubesphere-retired-policy": "advisory" }))),
  ]);
  t.is(asObject.code, asLevel.code, asObject.stderr);
  const a = JSON.parse(asLevel.stdout) as Report;
  const b = JSON.parse(asObject.stdout) as Report;
  t.deepEqual(b.violations, a.violations);
  const added = b.notes.filter((n) => !a.notes.includes(n));
  t.is(added.length, 1, added.join("\n"));
  t.regex(added[0]!, /--policy-pack-config .*object\.json: "kubesphere-retired-policy" is not a policy of this pack; pulumi preview passes it to the pack, where no policy reads it \(this pack has: kubesphere-/);
});
