/**
 * The real Pulumi CLI (built by `npm run real-tools`) run as a user runs it, with nothing of the user's machine:
 * - a fresh PULUMI_HOME and a file backend (`pulumi login file://<tmp>`), a passphrase secrets provider;
 * - no update checks, no plugin downloads, no cloud: PATH holds only the cache's `pulumi` and
 *   `pulumi-resource-kubernetes`, the language host stand-in (test/real/languageHost, the real host's module is not
 *   served here), then the system's tools (node, kubectl);
 * - a project folder of its own: this repository's Pulumi.yaml, program (src, linked), node_modules (linked) and
 *   a stack file the test writes, so nothing is written inside the repository; or a user's own program's files.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { timeScale, type CliRun } from "../../helpers/checkCli";
import { PROJECT_ROOT } from "../../helpers/mocksFleet";
import { killGroup, trackGroup } from "./processGroups";
import { cacheTool } from "./tools";

/** The passphrase of every test stack: a test value, never a user's. */
export const TEST_PASSPHRASE = "real-tools-test-passphrase";
const LANGUAGE_HOST = join(PROJECT_ROOT, "test", "real", "languageHost", "pulumi-language-nodejs.js");
const COMMAND_WITHIN_MS = 8 * 60_000;

/** A program of a user's own instead of this repository's: its files (Pulumi.yaml with `stackConfigDir: stacks`, …). */
export interface OwnProgram {
  readonly files: Readonly<Record<string, string>>;
}

export interface PulumiWorkspace {
  /** The project folder: Pulumi.yaml, src (a link to the repository's), node_modules (a link), stacks/. */
  readonly projectDir: string;
  readonly stack: string;
  /** `pulumi <args> --stack <stack> --non-interactive` in the project folder. */
  pulumi(args: readonly string[], options?: { readonly env?: Readonly<Record<string, string>> }): Promise<CliRun>;
  /** `pulumi <args>` in the project folder, for the commands that take no `--stack` (`package add`). */
  pulumiProject(args: readonly string[]): Promise<CliRun>;
  /** Like `pulumi`, but throws with the output's tail when the exit code is not 0. */
  pulumiOk(args: readonly string[]): Promise<string>;
  /** Removes the folder (state, home, project). Safe to call twice. */
  remove(): void;
}

/**
 * A project of this repository's program with stack `stack`, whose plain config is `config` (the test then sets
 * secrets with `pulumi config set --secret`), logged in to a file backend in a temp folder.
 */
export async function pulumiWorkspace(stack: string, config: Record<string, unknown>, program?: OwnProgram): Promise<PulumiWorkspace> {
  const root = mkdtempSync(join(tmpdir(), "ksf-real-pulumi-"));
  const projectDir = join(root, "project");
  const bin = join(root, "bin");
  for (const dir of [projectDir, bin, join(root, "home"), join(root, "state"), join(projectDir, "stacks")]) mkdirSync(dir, { recursive: true });
  symlinkSync(cacheTool("pulumi"), join(bin, "pulumi"));
  symlinkSync(cacheTool("pulumi-resource-kubernetes"), join(bin, "pulumi-resource-kubernetes"));
  symlinkSync(LANGUAGE_HOST, join(bin, "pulumi-language-nodejs"));
  // The YAML language host, for programs of one's own in YAML, when it was built.
  if (existsSync(cacheTool("pulumi-language-yaml"))) symlinkSync(cacheTool("pulumi-language-yaml"), join(bin, "pulumi-language-yaml"));
  if (program) {
    for (const [file, text] of Object.entries(program.files)) writeFileSync(join(projectDir, file), text);
  } else {
    copyFileSync(join(PROJECT_ROOT, "Pulumi.yaml"), join(projectDir, "Pulumi.yaml"));
    copyFileSync(join(PROJECT_ROOT, "package.json"), join(projectDir, "package.json"));
    copyFileSync(join(PROJECT_ROOT, "tsconfig.json"), join(projectDir, "tsconfig.json"));
    symlinkSync(join(PROJECT_ROOT, "src"), join(projectDir, "src"));
  }
  symlinkSync(join(PROJECT_ROOT, "node_modules"), join(projectDir, "node_modules"));
  writeFileSync(join(projectDir, "stacks", `Pulumi.${stack}.yaml`), stringify({ config }), { mode: 0o600 });

  const env: Record<string, string> = {
    PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    HOME: join(root, "home"),
    PULUMI_HOME: join(root, "home", ".pulumi"),
    PULUMI_CONFIG_PASSPHRASE: TEST_PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
    // The ts-node the SDK vendors caches compiled files in the OS temp folder: keep it in ours.
    TS_NODE_CACHE: "false",
    NO_COLOR: "1",
    // .ci/run's marker, so .ci/leftover-processes sees a plugin the engine left behind.
    ...(process.env.KSF_CI_RUN ? { KSF_CI_RUN: process.env.KSF_CI_RUN } : {}),
  };
  const run = (args: readonly string[], extraEnv: Readonly<Record<string, string>> = {}): Promise<CliRun> =>
    new Promise((resolve, reject) => {
      // Its own process group: the engine's plugins (the provider, the language host, the pack) go with it.
      const child = spawn(join(bin, "pulumi"), [...args], { cwd: projectDir, env: { ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"], detached: true });
      trackGroup(child);
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      const limit = Math.round(COMMAND_WITHIN_MS * timeScale());
      const timer = setTimeout(() => killGroup(child, "SIGINT"), limit);
      child.once("error", reject);
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        // What the engine started and left (none expected) goes with the group.
        killGroup(child, "SIGKILL");
        resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
      });
    });
  await ok(run(["login", `file://${join(root, "state")}`]), "pulumi login");
  await ok(run(["stack", "init", stack, "--secrets-provider", "passphrase", "--non-interactive"]), "pulumi stack init");
  let removed = false;
  return {
    projectDir,
    stack,
    pulumi: (args, options) => run([...args, "--stack", stack, "--non-interactive"], options?.env),
    pulumiProject: (args) => run(args),
    pulumiOk: (args) => ok(run([...args, "--stack", stack, "--non-interactive"]), `pulumi ${args.join(" ")}`),
    remove() {
      if (removed) return;
      removed = true;
      rmSync(root, { recursive: true, force: true });
    },
  };
}

async function ok(running: Promise<CliRun>, what: string): Promise<string> {
  const run = await running;
  if (run.code !== 0) {
    const tail = `${run.stdout}\n${run.stderr}`.trim().split("\n").slice(-40).join("\n");
    throw new Error(`${what} exited ${run.code}:\n${tail}`);
  }
  return run.stdout;
}
