import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { InputError } from "../cli/exitCodes";
import { DEFAULT_MAX_FILE_MIB, maxFileBytes } from "../input/inputFile";
import { assertWritableFile } from "../cli/outputPath";

export interface CheckArgs {
  readonly stack: string;
  /** The folder holding `stacks/` (and Pulumi.yaml); relative kubeconfig paths resolve against it. */
  readonly projectDir: string;
  /** Snapshot folder; default `stacks/<stack>/live`. */
  readonly liveDir: string;
  readonly policyPackConfig?: string;
  readonly json: boolean;
  readonly sarif?: string;
  readonly colour: boolean;
  /** Size limit of each file read (stack file, kubeconfigs, snapshot files, policy config). */
  readonly maxFileBytes: number;
  /** Print the stack of an unexpected error. */
  readonly debug: boolean;
}

export const MAX_FILE_FLAG = "--max-file-mib";

export const CHECK_USAGE = `Usage: npm run check -- --stack <name> [options]

What would \`pulumi up\` change on each cluster, and would \`pulumi preview --policy-pack policies\` let it through?
No Pulumi CLI, cluster or cloud login needed.

Options:
  --stack <name>                 the stack: stacks/Pulumi.<name>.yaml (required)
  --live <dir>                   live snapshot: <dir>/<cluster>/*.yaml (default stacks/<name>/live;
                                 write one with \`npm run audit -- --stack <name> --save <dir>\`)
  --policy-pack-config <file>    policy config JSON, as \`pulumi preview --policy-pack-config\` takes it
  --json                         print one JSON document instead of the report
  --sarif <file>                 also write SARIF 2.1.0 for code-scanning UIs
  --project-dir <dir>            the folder holding stacks/ (default: this project)
  --no-color                     no colour even on a terminal
  --max-file-mib <MiB>           size limit of each file read (default ${DEFAULT_MAX_FILE_MIB})
  --debug                        print the stack trace of an unexpected error

Secure config values are decrypted when PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) is set.
Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 bad input.`;

export function parseCheckArgs(argv: readonly string[], defaults: { projectDir: string; isTty: boolean; env: NodeJS.ProcessEnv }): CheckArgs | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string" },
        live: { type: "string" },
        "policy-pack-config": { type: "string" },
        json: { type: "boolean", default: false },
        sarif: { type: "string" },
        "project-dir": { type: "string" },
        "no-color": { type: "boolean", default: false },
        "max-file-mib": { type: "string" },
        debug: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new InputError(`${(error as Error).message}\n\n${CHECK_USAGE}`);
  }
  const { values } = parsed;
  if (values.help) return "help";
  if (!values.stack) throw new InputError(`--stack is required.\n\n${CHECK_USAGE}`);
  const projectDir = resolve(values["project-dir"] ?? defaults.projectDir);
  // Checked before the run: a typo in an output path must not cost a whole run.
  if (values.sarif) assertWritableFile("--sarif", resolve(values.sarif));
  return {
    stack: values.stack,
    projectDir,
    liveDir: resolve(values.live ?? resolve(projectDir, "stacks", values.stack, "live")),
    ...(values["policy-pack-config"] ? { policyPackConfig: resolve(values["policy-pack-config"]) } : {}),
    json: values.json ?? false,
    ...(values.sarif ? { sarif: resolve(values.sarif) } : {}),
    colour: defaults.isTty && !values["no-color"] && !defaults.env["NO_COLOR"],
    maxFileBytes: maxFileBytes(values["max-file-mib"], MAX_FILE_FLAG),
    debug: values.debug ?? false,
  };
}
