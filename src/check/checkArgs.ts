import { resolve } from "node:path";
import { parseCliOptions, sharedOptions, type CliDefaults, type SharedOptions } from "../cli/cliOptions";
import { InputError } from "../cli/exitCodes";
import { DEFAULT_MAX_FILE_MIB } from "../input/inputFile";
import { assertWritableFile } from "../cli/outputPath";
import { ENV_FILE_FLAG, NODE_ENV_FILE_FLAG } from "./escEnvironment";
import { allStacks } from "./stackFile";
import { DEFAULT_PROGRAM_TIMEOUT_SECONDS } from "./programRun";

/** `maxFileBytes` bounds each file read: stack file, kubeconfigs, snapshot files, policy config. */
export interface CheckArgs extends SharedOptions {
  /** The stacks to check: one, or a fleet split over several (`--stack` repeated, or `--all-stacks`). */
  readonly stacks: readonly string[];
  /** Check the stacks together, with the verdicts across them: `--all-stacks`, or more than one `--stack`. */
  readonly acrossStacks: boolean;
  /** The folder holding `stacks/` (and Pulumi.yaml); relative kubeconfig paths resolve against it. */
  readonly projectDir: string;
  /** `--live`: the snapshot folder (every cluster's folder, whichever stack declares it); default `stacks/<stack>/live` per stack. */
  readonly live?: string;
  /** `--esc-env-file`: what `esc open <env> --format json` printed, for stacks that import an ESC environment. */
  readonly envFile?: string;
  readonly policyPackConfig?: string;
  readonly sarif?: string;
  /** `--program`: a Pulumi program of one's own (its Pulumi.yaml's folder) to run instead of this project's. */
  readonly program?: string;
  /** `--program-timeout`: how long that program may run, in seconds. */
  readonly programTimeoutSeconds?: number;
}

export { MAX_FILE_FLAG } from "../cli/cliOptions";

export const CHECK_USAGE = `Usage: kubesphere-fleet check --stack <name> [--stack <name> …| --all-stacks] [options]
       kubesphere-fleet check --program <dir> --stack <name> [options]
       (in a clone of the repository: npm run check -- <options>)

What would \`pulumi up\` change on each cluster, and would \`pulumi preview --policy-pack policies\` let it through?
No Pulumi CLI, cluster or cloud login needed.

Options:
  --stack <name>                 the stack: stacks/Pulumi.<name>.yaml (required). Repeat it for a fleet split over
                                 several stacks: each is checked, then the verdicts across them (one host, unique
                                 cluster names, one jwtSecret, shards' hostJwtSecretFingerprint)
  --all-stacks                   every stacks/Pulumi.*.yaml, checked together as one fleet
  --program <dir>                your own Pulumi program (TypeScript or JavaScript) that uses KubeSphereFleet: its
                                 Pulumi.yaml main with its <dir>/Pulumi.<name>.yaml, under the mock runtime
                                 (--live default <dir>/live/<name>)
  --program-timeout <seconds>    how long that program may run (default ${DEFAULT_PROGRAM_TIMEOUT_SECONDS})
  --live <dir>                   live snapshot: <dir>/<cluster>/*.yaml (default stacks/<name>/live per stack;
                                 write one with \`npm run audit -- --stack <name> --save <dir>\`)
  --esc-env-file <file>          what \`esc open <org>/<project>/<env> --format json\` prints, for stacks that import
                                 a Pulumi ESC environment (environment: in the stack file); its pulumiConfig gives
                                 the keys the stack file does not set. Without it, such a jwtSecret is unknown
  --policy-pack-config <file>    policy config JSON, as \`pulumi preview --policy-pack-config\` takes it
  --json                         print one JSON document instead of the report
  --sarif <file>                 also write SARIF 2.1.0 for code-scanning UIs
  --project-dir <dir>            the folder holding stacks/ (default: this repository; installed, the
                                 current folder)
  --no-color                     no colour even on a terminal
  --max-file-mib <MiB>           size limit of each file read (default ${DEFAULT_MAX_FILE_MIB})
  --debug                        print the stack trace of an unexpected error

Secure config values are decrypted when PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) is set.
Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 bad input.`;

export function parseCheckArgs(argv: readonly string[], defaults: CliDefaults): CheckArgs | "help" {
  const values = parseCliOptions(
    argv,
    {
      stack: { type: "string", multiple: true },
      "all-stacks": { type: "boolean", default: false },
      "esc-env-file": { type: "string" },
      // Node's own option: refused below with the new name, never read.
      "env-file": { type: "string" },
      live: { type: "string" },
      "policy-pack-config": { type: "string" },
      sarif: { type: "string" },
      "project-dir": { type: "string" },
      program: { type: "string" },
      "program-timeout": { type: "string" },
    },
    CHECK_USAGE,
  );
  if (values === "help") return "help";
  if (values["env-file"] !== undefined) throw new InputError(nodeEnvFileRefusal());
  const named = values.stack ?? [];
  if (values["all-stacks"] && named.length > 0) throw new InputError(`--stack and --all-stacks cannot go together.\n\n${CHECK_USAGE}`);
  const program = values.program;
  if (program !== undefined) {
    if (values["all-stacks"] || named.length !== 1) throw new InputError(`--program checks one stack of the program: give one --stack <name> (its Pulumi.<name>.yaml).\n\n${CHECK_USAGE}`);
    if (values["project-dir"] !== undefined) throw new InputError(`--program and --project-dir cannot go together: --program names the program's folder.`);
  }
  const timeout = values["program-timeout"];
  if (timeout !== undefined && (program === undefined || !/^\d+$/.test(timeout) || Number(timeout) < 1 || Number(timeout) > 3600)) {
    throw new InputError(program === undefined ? "--program-timeout goes with --program." : `--program-timeout '${timeout}' is not a number of seconds from 1 to 3600.`);
  }
  const projectDir = resolve(values["project-dir"] ?? defaults.projectDir);
  const stacks = values["all-stacks"] ? allStacks(projectDir) : named;
  if (stacks.length === 0) throw new InputError(`--stack is required.\n\n${CHECK_USAGE}`);
  // Checked before the run: a typo in an output path must not cost a whole run.
  if (values.sarif) assertWritableFile("--sarif", resolve(values.sarif));
  return {
    stacks,
    acrossStacks: Boolean(values["all-stacks"]) || stacks.length > 1,
    projectDir,
    ...(values.live ? { live: resolve(values.live) } : {}),
    ...(values["esc-env-file"] ? { envFile: resolve(values["esc-env-file"]) } : {}),
    ...(values["policy-pack-config"] ? { policyPackConfig: resolve(values["policy-pack-config"]) } : {}),
    ...(values.sarif ? { sarif: resolve(values.sarif) } : {}),
    ...(program !== undefined ? { program: resolve(program) } : {}),
    ...(timeout !== undefined ? { programTimeoutSeconds: Number(timeout) } : {}),
    ...sharedOptions(values, defaults),
  };
}

/**
 * `--env-file` reached the check (the launcher, `node -- scripts/cli.js`, ends Node's options, so Node did not read
 * it): refused unread, naming the check's flag. Started as `node scripts/cli.js check --env-file F`, Node itself reads
 * F before any of this runs; hence the rename.
 */
function nodeEnvFileRefusal(): string {
  return (
    `${NODE_ENV_FILE_FLAG} is Node's own option (Node reads that file itself, as environment variables, before the check starts), ` +
    `so the check's flag is ${ENV_FILE_FLAG}; the file was not read. Fix: pass ${ENV_FILE_FLAG} <file> instead of ${NODE_ENV_FILE_FLAG} <file>.`
  );
}

/** The snapshot folder of a stack's clusters: `--live`, else `stacks/<stack>/live`. */
export function liveDirOf(args: Pick<CheckArgs, "projectDir" | "live">, stack: string): string {
  return args.live ?? resolve(args.projectDir, "stacks", stack, "live");
}
