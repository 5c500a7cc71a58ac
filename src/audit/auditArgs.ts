import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { InputError } from "../cli/exitCodes";
import { DEFAULT_MAX_FILE_MIB, maxFileBytes } from "../input/inputFile";
import { assertWritableFolder } from "../cli/outputPath";
import { DEFAULT_KUBESPHERE_NAMES } from "../model/kubernetesObjects";
import { DEFAULT_CERTIFICATE_EXPIRY_WINDOW_DAYS } from "../rules";
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from "./auditFleet";

export type AuditSource =
  | { readonly kind: "stack"; readonly stack: string; readonly projectDir: string }
  | { readonly kind: "kubeconfig"; readonly file?: string; readonly contexts: readonly string[]; readonly namespace: string; readonly configMap: string };

export interface AuditArgs {
  readonly source: AuditSource;
  readonly save?: string;
  /** Where to write the Prometheus textfile-collector metrics. */
  readonly openmetrics?: string;
  readonly json: boolean;
  readonly colour: boolean;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly expiryWindowDays: number;
  /** Size limit of each file read (stack file, kubeconfigs and the files they name). */
  readonly maxFileBytes: number;
  /** Print the stack of an unexpected error. */
  readonly debug: boolean;
}

export const AUDIT_USAGE = `Usage: npm run audit -- --stack <name> [options]
       npm run audit -- --kubeconfig <file> --context <a> --context <b> [options]

Reads every cluster of the fleet and reports: reachable, credentials (client certificate notAfter), the live
jwtSecret fingerprint, accessTokenMaxAge, clusterRole, whether ks-installer owns the config, what to restart,
and the violations of the policy pack's rules on the live state.

Clusters:
  --stack <name>             the clusters of stacks/Pulumi.<name>.yaml (kubeconfig path or content, context)
  --project-dir <dir>        the folder holding stacks/ (default: this project)
  --kubeconfig <file>        without --stack: this kubeconfig (default $KUBECONFIG, else ~/.kube/config)
  --context <name>           without --stack: a context to audit, repeatable (default: the current-context);
                             the cluster is named after the context
  --namespace <ns>           without --stack: KubeSphere's namespace (default ${DEFAULT_KUBESPHERE_NAMES.namespace})
  --config-map <name>        without --stack: KubeSphere's ConfigMap (default ${DEFAULT_KUBESPHERE_NAMES.configMap})

Options:
  --save <dir>               write <dir>/<cluster>/*.yaml (mode 0600) for \`npm run check -- --live <dir>\`
  --openmetrics <file>       also write the audit as Prometheus metrics (node_exporter textfile collector
                             format, e.g. /var/lib/prometheus/node-exporter/kubesphere-fleet.prom), atomically, 0644
  --json                     print one JSON document instead of the report
  --timeout <seconds>        per cluster (default ${DEFAULT_TIMEOUT_MS / 1000})
  --concurrency <n>          clusters read at once (default ${DEFAULT_CONCURRENCY})
  --expiry-window <days>     report client certificates expiring within this many days (default ${DEFAULT_CERTIFICATE_EXPIRY_WINDOW_DAYS})
  --no-color                 no colour even on a terminal
  --max-file-mib <MiB>       size limit of each file read (default ${DEFAULT_MAX_FILE_MIB})
  --debug                    print the stack trace of an unexpected error

Only fingerprints of secrets are printed. Secure stack values are decrypted when PULUMI_CONFIG_PASSPHRASE is set.
Exit codes: 0 healthy, 1 a violation or a cluster that could not be read, 2 bad input.`;

export function parseAuditArgs(argv: readonly string[], defaults: { projectDir: string; isTty: boolean; env: NodeJS.ProcessEnv }): AuditArgs | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        stack: { type: "string" },
        "project-dir": { type: "string" },
        kubeconfig: { type: "string" },
        context: { type: "string", multiple: true },
        namespace: { type: "string" },
        "config-map": { type: "string" },
        save: { type: "string" },
        openmetrics: { type: "string" },
        json: { type: "boolean", default: false },
        timeout: { type: "string" },
        concurrency: { type: "string" },
        "expiry-window": { type: "string" },
        "no-color": { type: "boolean", default: false },
        "max-file-mib": { type: "string" },
        debug: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new InputError(`${(error as Error).message}\n\n${AUDIT_USAGE}`);
  }
  const { values } = parsed;
  if (values.help) return "help";
  const contexts = values.context ?? [];
  let source: AuditSource;
  if (values.stack !== undefined) {
    const clash = (["kubeconfig", "context", "namespace", "config-map"] as const).filter((k) => values[k] !== undefined);
    if (clash.length > 0) {
      throw new InputError(`--stack takes its clusters, kubeconfigs, namespace and configMap from the stack; drop ${clash.map((k) => `--${k}`).join(", ")}, or drop --stack.`);
    }
    source = { kind: "stack", stack: values.stack, projectDir: resolve(values["project-dir"] ?? defaults.projectDir) };
  } else {
    if (values["project-dir"] !== undefined) throw new InputError(`--project-dir only applies with --stack.`);
    source = {
      kind: "kubeconfig",
      ...(values.kubeconfig !== undefined ? { file: values.kubeconfig } : {}),
      contexts,
      namespace: nonEmpty(values.namespace, "--namespace") ?? DEFAULT_KUBESPHERE_NAMES.namespace,
      configMap: nonEmpty(values["config-map"], "--config-map") ?? DEFAULT_KUBESPHERE_NAMES.configMap,
    };
  }
  const save = values.save !== undefined ? resolve(nonEmpty(values.save, "--save")!) : undefined;
  // Checked before the run: a typo in an output path must not cost a whole audit.
  if (save !== undefined) assertWritableFolder("--save", save);
  return {
    source,
    ...(save !== undefined ? { save } : {}),
    ...(values.openmetrics !== undefined ? { openmetrics: resolve(nonEmpty(values.openmetrics, "--openmetrics")!) } : {}),
    json: values.json ?? false,
    colour: defaults.isTty && !values.json && !values["no-color"] && !defaults.env["NO_COLOR"],
    timeoutMs: Math.round(positive(values.timeout, "--timeout", DEFAULT_TIMEOUT_MS / 1000, false) * 1000),
    concurrency: positive(values.concurrency, "--concurrency", DEFAULT_CONCURRENCY, true),
    expiryWindowDays: positive(values["expiry-window"], "--expiry-window", DEFAULT_CERTIFICATE_EXPIRY_WINDOW_DAYS, true),
    maxFileBytes: maxFileBytes(values["max-file-mib"]),
    debug: values.debug ?? false,
  };
}

function nonEmpty(value: string | undefined, flag: string): string | undefined {
  if (value !== undefined && value.trim() === "") throw new InputError(`${flag} is empty; give a value or leave the flag out.`);
  return value;
}

function positive(value: string | undefined, flag: string, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new InputError(`${flag} ${value} is not a positive ${integer ? "whole number" : "number"}; e.g. ${flag} ${fallback}.`);
  }
  return number;
}
