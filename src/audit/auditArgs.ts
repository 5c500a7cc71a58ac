import { resolve } from "node:path";
import { nonEmpty, parseCliOptions, sharedOptions, type CliDefaults, type SharedOptions } from "../cli/cliOptions";
import { InputError } from "../cli/exitCodes";
import { DEFAULT_MAX_FILE_MIB } from "../input/inputFile";
import { assertWritableFolder } from "../cli/outputPath";
import { DEFAULT_KUBESPHERE_NAMES } from "../model/kubernetesObjects";
import { DEFAULT_CERTIFICATE_EXPIRY_WINDOW_DAYS } from "../rules";
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from "./auditFleet";
import { assertFleetName, metricsFile } from "./metricsFile";

export type AuditSource =
  | { readonly kind: "stack"; readonly stack: string; readonly projectDir: string }
  | { readonly kind: "kubeconfig"; readonly file?: string; readonly contexts: readonly string[]; readonly namespace: string; readonly configMap: string };

export interface MetricsOutput {
  /** The flag as given (`--prometheus-textfile`, or its old name `--openmetrics`), for messages. */
  readonly flag: string;
  /** The file: `<folder>/kubesphere-fleet-<fleet>.prom` when a folder was given. */
  readonly file: string;
  /** The `fleet` label of every series: `--fleet`, else the stack's name. */
  readonly fleet: string;
}

/** `maxFileBytes` bounds each file read: stack file, kubeconfigs and the files they name. */
export interface AuditArgs extends SharedOptions {
  readonly source: AuditSource;
  readonly save?: string;
  /** Where to write the Prometheus textfile-collector metrics, and the fleet that labels them. */
  readonly metrics?: MetricsOutput;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly expiryWindowDays: number;
}

export const AUDIT_USAGE = `Usage: kubesphere-fleet audit --stack <name> [options]
       kubesphere-fleet audit --kubeconfig <file> --context <a> --context <b> [options]
       (in a clone of the repository: npm run audit -- <options>)

Reads every cluster of the fleet and reports: reachable, credentials (client certificate notAfter), the live
jwtSecret fingerprint, accessTokenMaxAge, clusterRole, whether ks-installer owns the config, what to restart,
and the violations of the policy pack's rules on the live state.

Clusters:
  --stack <name>             the clusters of stacks/Pulumi.<name>.yaml (kubeconfig path or content, context)
  --project-dir <dir>        the folder holding stacks/ (default: this repository; installed, the
                             current folder)
  --kubeconfig <file>        without --stack: this kubeconfig (default $KUBECONFIG, else ~/.kube/config)
  --context <name>           without --stack: a context to audit, repeatable (default: the current-context);
                             the cluster is named after the context
  --namespace <ns>           without --stack: KubeSphere's namespace (default ${DEFAULT_KUBESPHERE_NAMES.namespace})
  --config-map <name>        without --stack: KubeSphere's ConfigMap (default ${DEFAULT_KUBESPHERE_NAMES.configMap})

Options:
  --save <dir>               write <dir>/<cluster>/*.yaml (mode 0600) for \`npm run check -- --live <dir>\`
  --prometheus-textfile <path>
                             also write the audit as Prometheus metrics in the text format node_exporter's
                             textfile collector reads; a folder (e.g. /var/lib/prometheus/node-exporter) gets
                             kubesphere-fleet-<fleet>.prom. Atomically, 0644. Old name: --openmetrics
  --fleet <name>             the fleet label of every series and the file's name (default: the stack's name;
                             needed without --stack), so several fleets share one textfile folder
  --json                     print one JSON document instead of the report
  --timeout <seconds>        per cluster (default ${DEFAULT_TIMEOUT_MS / 1000})
  --concurrency <n>          clusters read at once (default ${DEFAULT_CONCURRENCY})
  --expiry-window <days>     report client certificates expiring within this many days (default ${DEFAULT_CERTIFICATE_EXPIRY_WINDOW_DAYS})
  --no-color                 no colour even on a terminal
  --max-file-mib <MiB>       size limit of each file read (default ${DEFAULT_MAX_FILE_MIB})
  --debug                    print the stack trace of an unexpected error

Only fingerprints of secrets are printed. Secure stack values are decrypted when PULUMI_CONFIG_PASSPHRASE is set.
Exit codes: 0 healthy, 1 a violation or a cluster that could not be read, 2 bad input.`;

export function parseAuditArgs(argv: readonly string[], defaults: CliDefaults): AuditArgs | "help" {
  const values = parseCliOptions(
    argv,
    {
      stack: { type: "string" },
      "project-dir": { type: "string" },
      kubeconfig: { type: "string" },
      context: { type: "string", multiple: true },
      namespace: { type: "string" },
      "config-map": { type: "string" },
      save: { type: "string" },
      "prometheus-textfile": { type: "string" },
      openmetrics: { type: "string" },
      fleet: { type: "string" },
      timeout: { type: "string" },
      concurrency: { type: "string" },
      "expiry-window": { type: "string" },
    },
    AUDIT_USAGE,
  );
  if (values === "help") return "help";
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
    ...metricsOutput(values, source),
    ...sharedOptions(values, defaults),
    timeoutMs: Math.round(positive(values.timeout, "--timeout", DEFAULT_TIMEOUT_MS / 1000, false) * 1000),
    concurrency: positive(values.concurrency, "--concurrency", DEFAULT_CONCURRENCY, true),
    expiryWindowDays: positive(values["expiry-window"], "--expiry-window", DEFAULT_CERTIFICATE_EXPIRY_WINDOW_DAYS, true),
  };
}

/** `--prometheus-textfile` (or `--openmetrics`) with the fleet it is named after. */
function metricsOutput(values: { "prometheus-textfile"?: string; openmetrics?: string; fleet?: string }, source: AuditSource): { metrics?: MetricsOutput } {
  if (values["prometheus-textfile"] !== undefined && values.openmetrics !== undefined) {
    throw new InputError(`--openmetrics is the old name of --prometheus-textfile; give one of them.`);
  }
  const flag = values.openmetrics !== undefined ? "--openmetrics" : "--prometheus-textfile";
  const path = nonEmpty(values["prometheus-textfile"] ?? values.openmetrics, flag);
  const fleet = nonEmpty(values.fleet, "--fleet") ?? (source.kind === "stack" ? source.stack : undefined);
  if (path === undefined) return {};
  if (fleet === undefined) {
    throw new InputError(
      `${flag} needs --fleet <name> without --stack: every series carries the fleet, and the file is named after it, so audits of several fleets can share node_exporter's textfile folder. Fix: add e.g. --fleet prod.`,
    );
  }
  assertFleetName(values.fleet !== undefined ? "--fleet" : "--stack", fleet);
  return { metrics: { flag, file: metricsFile(path, fleet), fleet } };
}

function positive(value: string | undefined, flag: string, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || (integer && !Number.isInteger(number))) {
    throw new InputError(`${flag} ${value} is not a positive ${integer ? "whole number" : "number"}; e.g. ${flag} ${fallback}.`);
  }
  return number;
}
