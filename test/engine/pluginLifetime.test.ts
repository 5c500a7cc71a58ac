/**
 * A policy pack never outlives the process that started it: killed with SIGKILL (a test's time limit, a CI job that is
 * cancelled, an ava worker that exits), the starter cannot stop its pack, so the pack must notice on its own
 * (`spawnPlugin`: its stdin is a pipe from the starter, which the operating system closes). Real processes, found in
 * /proc; each test kills whatever it started.
 */
import test, { type ExecutionContext } from "ava";
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { cliEntry, REPO, timeScale } from "../helpers/checkCli";
import { alive, childrenOf, gone } from "../helpers/processes";

/** Kills `pids` at the end of the test, whatever happened (a pack that outlived its parent included). */
function killAfter(t: ExecutionContext, pids: () => readonly number[]): void {
  t.teardown(() => {
    for (const pid of pids()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone, as it should be
      }
    }
  });
}

/** The pack `starter` spawned, once it is running: polls its children for `run-policy-pack`. */
async function packOf(starter: ChildProcess): Promise<number> {
  const deadline = Date.now() + 60_000 * timeScale();
  while (Date.now() < deadline) {
    const pack = childrenOf(starter.pid!).find((c) => c.args.includes("run-policy-pack"));
    if (pack) return pack.pid;
    if (starter.exitCode !== null) throw new Error(`the starter exited (${starter.exitCode}) before its pack was seen`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("no run-policy-pack child appeared");
}

test("the check killed with SIGKILL: the policy pack it started is gone within seconds", async (t) => {
  const check = spawn(process.execPath, [...cliEntry("check"), "--stack", "dev"], { cwd: REPO, stdio: "ignore" });
  let pack = 0;
  killAfter(t, () => [check.pid!, pack]);
  pack = await packOf(check);
  check.kill("SIGKILL");
  t.true(await gone([pack], Math.round(100 * timeScale())), `run-policy-pack ${pack} still runs ${5 * timeScale()} s after the check was killed`);
});

test("a process that started a pack with startPolicyPack, as the tests do, killed with SIGKILL: the pack is gone within seconds", async (t) => {
  const script = `
    const { startPolicyPack } = require(${JSON.stringify(join(REPO, "src", "engine"))});
    startPolicyPack(${JSON.stringify(join(REPO, "policies"))}).then((pack) => console.log("ready " + pack.pid));
  `;
  const starter = spawn(process.execPath, ["--require", "tsx/cjs", "-e", script], { cwd: REPO, stdio: ["ignore", "pipe", "inherit"] });
  let pack = 0;
  killAfter(t, () => [starter.pid!, pack]);
  pack = await new Promise<number>((resolve, reject) => {
    let out = "";
    starter.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const ready = /ready (\d+)/.exec(out);
      if (ready) resolve(Number(ready[1]));
    });
    starter.once("exit", (code) => reject(new Error(`the starter exited (${code}) before its pack was ready`)));
  });
  t.true(alive(pack), "the pack runs while its starter does");
  starter.kill("SIGKILL");
  t.true(await gone([pack], Math.round(100 * timeScale())), `run-policy-pack ${pack} still runs ${5 * timeScale()} s after its starter was killed`);
});
