/**
 * `--save` from two audits at once into one folder: each writer's cleanup of stale files must tolerate the other
 * writer having removed the same file first (unlink and ignore ENOENT, not exists-then-delete).
 */
import test from "ava";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "../helpers/checkCli";

const ROUNDS = 3000;

/** A writer process: ROUNDS snapshots of one cluster, alternately with and without the Secret, so each round removes a file. */
function writer(dir: string, phase: 0 | 1): Promise<{ code: number | null; stderr: string }> {
  const script = `
    const { writeClusterSnapshot } = require(${JSON.stringify(join(REPO, "src", "snapshot", "writeSnapshot.ts"))});
    const configMap = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "kubesphere-config", namespace: "kubesphere-system" }, data: {} };
    const secret = { apiVersion: "v1", kind: "Secret", metadata: { name: "kubesphere-secret", namespace: "kubesphere-system" }, data: {} };
    let failures = 0;
    for (let i = 0; i < ${ROUNDS}; i++) {
      try { writeClusterSnapshot(${JSON.stringify(dir)}, "member-1", (i + ${phase}) % 2 ? [configMap, secret] : [configMap]); }
      catch (error) { failures++; if (failures === 1) process.stderr.write(String(error.code || error.message) + "\\n"); }
    }
    process.exit(failures === 0 ? 0 : 1);
  `;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--require", "tsx/cjs", "-e", script], { cwd: REPO, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

test("two writers saving the same cluster at once never fail on a file the other removed", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "kubesphere-fleet-race-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const results = await Promise.all([writer(dir, 0), writer(dir, 1), writer(dir, 0), writer(dir, 1)]);
  for (const result of results) t.is(result.code, 0, result.stderr);
  t.true(readdirSync(join(dir, "member-1")).includes("configmap-kubesphere-config.yaml"));
});
