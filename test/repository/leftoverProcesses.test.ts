/**
 * `.ci/leftover-processes`, which `.ci/run` runs after each test run: it fails when a process the tests started (its
 * environment holds `.ci/run`'s KSF_CI_RUN marker) and whose arguments name a plugin or server is still running.
 * Tried on a real orphan the test makes (parent gone, ppid 1 or a subreaper) and then kills.
 */
import test from "ava";
import { execFile, execFileSync } from "node:child_process";
import { join } from "node:path";
import { REPO } from "../helpers/checkCli";
import { gone } from "../helpers/processes";

const SCRIPT = join(REPO, ".ci", "leftover-processes");

function leftovers(marker: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(SCRIPT, [], { env: { ...process.env, KSF_CI_RUN: marker } }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

test("a plugin-like process left running after the tests, parent gone, fails the check naming it; once it is stopped the check passes", async (t) => {
  const marker = `test-${process.pid}-${Date.now()}`;
  // sh starts the stand-in in the background and exits at once: the stand-in is an orphan, as a pack left by a killed test is.
  const pid = Number(
    execFileSync("/bin/sh", ["-c", `${JSON.stringify(process.execPath)} -e "setTimeout(() => {}, 120000)" run-policy-pack-standin >/dev/null 2>&1 & echo $!`], {
      env: { ...process.env, KSF_CI_RUN: marker },
      encoding: "utf8",
    }).trim(),
  );
  t.teardown(() => {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // stopped by the test already
    }
  });
  const unrelated = await leftovers(`${marker}-other`);
  t.is(unrelated.code, 0, "another run's marker: not ours");

  const left = await leftovers(marker);
  t.is(left.code, 1, left.stdout);
  t.regex(left.stderr, new RegExp(`^error: 1 process\\(es\\) the tests started are still running after the tests:\\n  pid ${pid}, (no parent \\(ppid 1\\)|parent \\d+: .*): .*run-policy-pack-standin`));
  t.regex(left.stderr, /Fix: find the test or helper that starts it/);

  process.kill(pid, "SIGKILL");
  t.true(await gone([pid]));
  const clean = await leftovers(marker);
  t.is(clean.code, 0, clean.stderr);
  t.regex(clean.stdout, /No test left a plugin or server process running/);
});
