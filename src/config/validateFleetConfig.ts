import { InputFileError, InputFileRule, readInputFile, type InputFileOptions } from "../input/inputFile";
import { DEFAULT_KUBESPHERE_NAMES } from "../model/kubernetesObjects";
import { isPlainObject } from "../model/lookup";
import { MIN_JWT_SECRET_LENGTH, MIN_PIN_HEX_DIGITS, fingerprintMatches, pinLabel, secretFacts } from "../model/secretFacts";
import { isUnknownValue } from "../model/unknownValue";
import { shownName, valueType } from "../input/printable";
import {
  FleetRole,
  KUBESPHERE_VERSIONS,
  ManageMode,
  PROJECT,
  majorOf,
  type ClusterDeclaration,
  type FleetDeclaration,
  type KubeconfigDeclaration,
  type KubeSphereVersion,
} from "./fleetDeclaration";
import { checkKubeconfig, resolveKubeconfigPath } from "./kubeconfigCheck";

/**
 * The stack config as plain data: the values of `kubesphere-fleet:clusters`, `:jwtSecret`, `:namespace` and
 * `:configMap`. A value the stack holds encrypted and that could not be decrypted is `{ secure: "<ciphertext>" }`.
 */
export interface FleetConfigInput {
  readonly clusters?: unknown;
  readonly jwtSecret?: unknown;
  readonly namespace?: unknown;
  readonly configMap?: unknown;
  /** A shard's pin of the host stack's jwtSecret fingerprint (`sha256:<hex>`). */
  readonly hostJwtSecretFingerprint?: unknown;
}

export interface ValidateOptions {
  readonly stack: string;
  /** Relative kubeconfig paths resolve against this directory (the one holding Pulumi.yaml). */
  readonly projectRoot: string;
  /** Default: the bounded reader (regular files only, `limits.maxBytes`). */
  readonly readFile?: (path: string) => string;
  readonly homeDir?: string;
  /** The size limit of kubeconfig files, and how the user raises it. */
  readonly limits?: Pick<InputFileOptions, "maxBytes" | "raiseWith">;
  /**
   * Validate the args of the `KubeSphereFleet` component of this name instead of stack config: keys are the args'
   * (`clusters[1].provider`), and a cluster connects through `provider` (a `k8s.Provider`) or `kubeconfig` (its text,
   * any `pulumi.Input<string>`) instead of a kubeconfig mapping.
   */
  readonly component?: string;
}

/** One thing wrong with a stack's config. Never quotes a secret or kubeconfig content. */
export interface ConfigError {
  readonly stack: string;
  /** The `KubeSphereFleet` component whose args are wrong, when they are a component's. */
  readonly component?: string;
  /** `clusters[1] (member-1)`, when the error is about one cluster. */
  readonly cluster?: string;
  /** The full config key, e.g. `kubesphere-fleet:clusters[1].kubeconfig.path`. */
  readonly key: string;
  readonly message: string;
  readonly fix: string;
}

export interface FleetValidation {
  /** Present only when there are no errors. */
  readonly fleet?: FleetDeclaration;
  readonly errors: readonly ConfigError[];
}

/** `Stack 'dev', clusters[1] (member-1): kubesphere-fleet:clusters[1].role "boss" is not a role. Fix: …` */
export function formatConfigError(error: ConfigError): string {
  const where = [`Stack '${error.stack}'`, ...(error.component ? [`KubeSphereFleet '${error.component}'`] : []), ...(error.cluster ? [error.cluster] : [])].join(", ");
  return `${where}: ${error.key} ${error.message}. Fix: ${error.fix}.`;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Validates a stack's fleet config and returns every error at once, each naming the stack, the cluster, the key and
 * the fix. Reads kubeconfig files (through `readFile`) to check that they exist and hold the context to use.
 */
export function validateFleetConfig(input: FleetConfigInput, options: ValidateOptions): FleetValidation {
  const errors: ConfigError[] = [];
  const report = (key: string, message: string, fix: string, cluster?: string): void => {
    const component = options.component;
    errors.push({ stack: options.stack, ...(component !== undefined ? { component } : {}), ...(cluster ? { cluster } : {}), key: component !== undefined ? key : `${PROJECT}:${key}`, message, fix });
  };

  const clusters = clustersOf(input.clusters, options, report);
  if (Array.isArray(input.clusters) && input.clusters.length > 0) {
    const hosts = input.clusters.flatMap((entry: unknown, i) => (isPlainObject(entry) && entry["role"] === FleetRole.host ? [labelOf(entry, i)] : []));
    // A shard: a stack of members whose host is in another stack, with the host's secret from somewhere it can be had.
    const secretSource = (input.jwtSecret !== undefined && input.jwtSecret !== null) || (input.hostJwtSecretFingerprint !== undefined && input.hostJwtSecretFingerprint !== null);
    if (hosts.length === 0 && !secretSource) {
      report(
        "clusters",
        "declares no host, and the stack does not say where the host's jwtSecret comes from",
        `give one cluster role: host; or, when the host is in another stack (this stack holds only members), set jwtSecret to the fleet's secret ` +
          `(pulumi config set --secret jwtSecret, or import the fleet's Pulumi ESC environment) and/or pin hostJwtSecretFingerprint to the host stack's fingerprint (npm run check -- --stack <host stack> shows it)`,
      );
    }
    if (hosts.length > 1) report("clusters", `declares ${hosts.length} hosts (${hosts.join(", ")})`, "give exactly one cluster role: host and the others role: member");
  }
  const seen = new Map<string, string>();
  for (const cluster of clusters) {
    const first = seen.get(cluster.name);
    if (first) report(`${cluster.label.split(" ")[0]}.name`, `'${cluster.name}' is already the name of ${first}`, "give every cluster a unique name", cluster.label);
    else seen.set(cluster.name, cluster.label);
  }

  // Stack config reaches the program as text, and pulumi passes a YAML null as the text "null" (see nullAsText).
  const text = (key: TextKey): unknown => (options.component === undefined ? nullAsText(input[key], key, report) : input[key]);
  const jwtSecret = jwtSecretOf(text("jwtSecret"), report);
  const pin = hostJwtSecretFingerprintOf(text("hostJwtSecretFingerprint"), jwtSecret, report);
  const namespace = nameOf(text("namespace"), "namespace", DEFAULT_KUBESPHERE_NAMES.namespace, report);
  const configMap = nameOf(text("configMap"), "configMap", DEFAULT_KUBESPHERE_NAMES.configMap, report);
  if (errors.length) return { errors };
  return { fleet: { stack: options.stack, clusters, ...(jwtSecret ? { jwtSecret } : {}), ...(pin ? { hostJwtSecretFingerprint: pin } : {}), names: { namespace, configMap } }, errors };
}

type Report = (key: string, message: string, fix: string, cluster?: string) => void;

/** The stack config keys the program reads as text (`clusters` it reads as JSON). */
type TextKey = "jwtSecret" | "hostJwtSecretFingerprint" | "namespace" | "configMap";

/**
 * A text key set to YAML null (`namespace: null`, in the stack file or an ESC environment's pulumiConfig). The Pulumi
 * CLI does not leave it unset: it reads the null as a config value and passes the program its JSON, the text "null"
 * (pulumi/pulumi sdk/go/common/resource/config: `unmarshalObject` keeps nil, `MarshalString` and `marshalText` write
 * it with json.Marshal), so `pulumi up` would get a 4-character jwtSecret or a namespace named "null". The program
 * cannot tell that text from a null, so both are refused with the same words, by the check (which sees the null)
 * and by the program (which sees the text): one verdict. Returns undefined (reported) or the value unchanged.
 */
function nullAsText(value: unknown, key: TextKey, report: Report): unknown {
  if (value !== null && value !== "null") return value;
  report(key, 'is null (or the text "null"): pulumi passes a YAML null to the program as the text "null", not as unset', `remove ${PROJECT}:${key} from the stack file (and the ESC environment) to leave it unset, or give it a value`);
  return undefined;
}

function clustersOf(value: unknown, options: ValidateOptions, report: Report): ClusterDeclaration[] {
  const inComponent = options.component !== undefined;
  if (value === undefined || value === null) {
    report(
      "clusters",
      "is not set",
      inComponent ? "give clusters: an array with one { name, role, version, provider or kubeconfig } per cluster" : `list the fleet's clusters under ${PROJECT}:clusters in stacks/Pulumi.${options.stack}.yaml`,
    );
    return [];
  }
  if (!Array.isArray(value) || value.length === 0) {
    report(
      "clusters",
      "is not a list of clusters",
      inComponent ? "give clusters: an array with one { name, role, version, provider or kubeconfig } per cluster" : "give a YAML list with one entry (name, role, version, kubeconfig) per cluster",
    );
    return [];
  }
  const clusters: ClusterDeclaration[] = [];
  value.forEach((entry: unknown, index) => {
    const cluster = clusterOf(entry, index, options, report);
    if (cluster) clusters.push(cluster);
  });
  return clusters;
}

function clusterOf(entry: unknown, index: number, options: ValidateOptions, report: Report): ClusterDeclaration | undefined {
  const at = `clusters[${index}]`;
  if (!isPlainObject(entry)) {
    report(at, "is not a mapping", "give name, role, version and kubeconfig", at);
    return undefined;
  }
  const rawName = entry["name"];
  const label = labelOf(entry, index);
  let failed = false;
  const fail: Report = (key, message, fix) => {
    failed = true;
    report(key, message, fix, label);
  };

  const settings = options.component !== undefined ? COMPONENT_CLUSTER_SETTINGS : STACK_CLUSTER_SETTINGS;
  for (const key of Object.keys(entry)) {
    if (!settings.includes(key)) fail(`${at}.${shownName(key)}`, "is not a cluster setting", `remove it; a cluster takes ${settings.join(", ")} (manage: 3.x only)`);
  }
  if (rawName === undefined || rawName === "") fail(`${at}.name`, "is missing", "name the cluster with a DNS-1123 label such as member-1");
  else if (typeof rawName !== "string") fail(`${at}.name`, `is ${valueType(rawName)}, not a DNS-1123 label`, "name the cluster with a DNS-1123 label such as member-1");
  else if (!DNS_LABEL.test(rawName)) fail(`${at}.name`, `is not a DNS-1123 label: it ${whyNotDnsLabel(rawName)}`, "use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit");

  const role = entry["role"];
  if (role !== FleetRole.host && role !== FleetRole.member) fail(`${at}.role`, role === undefined ? "is missing" : `is ${valueType(role)}, not a role`, "use host (exactly one cluster) or member");

  const version = versionOf(entry["version"], `${at}.version`, fail);
  const mode = modeOf(entry["manage"], version, `${at}.manage`, fail);
  const ksInstaller = ksInstallerOf(entry["ksInstaller"], version, mode, `${at}.ksInstaller`, fail);
  const kubeconfig = options.component !== undefined ? connectionOf(entry, at, fail) : kubeconfigOf(entry["kubeconfig"], `${at}.kubeconfig`, options, fail);

  if (failed || !version || !mode || ksInstaller === undefined || !kubeconfig) return undefined;
  return { name: rawName as string, label, role: role as FleetRole, version, mode, ksInstaller, kubeconfig };
}

const STACK_CLUSTER_SETTINGS: readonly string[] = ["name", "role", "version", "kubeconfig", "manage", "ksInstaller"];
const COMPONENT_CLUSTER_SETTINGS: readonly string[] = ["name", "role", "version", "provider", "kubeconfig", "context", "manage", "ksInstaller"];

/**
 * A component cluster's connection: exactly one of `provider` (a `k8s.Provider` the caller made) or `kubeconfig` (the
 * kubeconfig text, possibly an Output; the component makes the provider), and `context` only with `kubeconfig`.
 * Plain kubeconfig text is checked here; an Output is the provider's to check when it resolves.
 */
function connectionOf(entry: Record<string, unknown>, at: string, fail: Report): KubeconfigDeclaration | undefined {
  const { provider, kubeconfig, context } = entry;
  const fix = "give exactly one: provider (a k8s.Provider for the cluster) or kubeconfig (its kubeconfig text, e.g. an Output of the cluster resource)";
  if ((provider === undefined) === (kubeconfig === undefined)) {
    fail(at, provider === undefined ? "has neither provider nor kubeconfig" : "has both provider and kubeconfig", fix);
    return undefined;
  }
  if (context !== undefined && (typeof context !== "string" || context === "" || provider !== undefined)) {
    fail(`${at}.context`, provider !== undefined ? "is set with provider" : "is not a context name", "give context only with kubeconfig, as the name of one of its contexts");
    return undefined;
  }
  if (provider !== undefined) {
    // A CustomResource passes ProviderResource.isInstance (it is CustomResource's check); only a Kubernetes
    // provider can read and patch the cluster's objects.
    if (!pulumiSdk().kubernetesProvider.isInstance(provider)) {
      fail(`${at}.provider`, "is not a Kubernetes provider", "pass the cluster's k8s.Provider (new k8s.Provider(...), or the one your cluster resource gives), or kubeconfig instead");
      return undefined;
    }
    return { source: `${at}.provider` };
  }
  const source = `${at}.kubeconfig`;
  // Text not known here (an undecrypted secure value in the offline check): the provider gets it as an unknown.
  if (isUnknownValue(kubeconfig)) return { content: kubeconfig as string, source, ...(context ? { context: context as string } : {}) };
  if (typeof kubeconfig === "string") {
    const problem = kubeconfig.trim() === "" ? { message: "is empty", fix: "pass the cluster's kubeconfig text" } : checkKubeconfig(kubeconfig, context as string | undefined);
    if (problem) {
      fail(context !== undefined && problem.message.startsWith("has no context") ? `${at}.context` : source, problem.message, problem.fix);
      return undefined;
    }
    return { content: kubeconfig, source, ...(context ? { context: context as string } : {}) };
  }
  if (!pulumiSdk().output.isInstance(kubeconfig) && !(kubeconfig instanceof Promise)) {
    fail(source, "is not kubeconfig text", fix);
    return undefined;
  }
  return { source, ...(context ? { context: context as string } : {}) };
}

/**
 * The SDK's classes, required only for a value that is no plain data (a provider, an Output): a stack file holds
 * none, so the offline check reads and validates it without loading the SDK, and bad input fails in a fraction of a second.
 */
function pulumiSdk(): { output: typeof import("@pulumi/pulumi").Output; kubernetesProvider: typeof import("@pulumi/kubernetes/provider").Provider } {
  return {
    output: (require("@pulumi/pulumi") as typeof import("@pulumi/pulumi")).Output,
    kubernetesProvider: (require("@pulumi/kubernetes/provider") as typeof import("@pulumi/kubernetes/provider")).Provider,
  };
}

/** What keeps a string from being a DNS-1123 label, in words that do not quote it. */
function whyNotDnsLabel(name: string): string {
  if (name.length > 63) return `has ${name.length} characters, more than 63`;
  if (/[A-Z]/.test(name)) return "has upper-case letters";
  if (/[^a-z0-9-]/.test(name)) return "has characters other than lower-case letters, digits and '-'";
  return "starts or ends with '-'";
}

/** `clusters[1] (member-1)`, or `clusters[1]` when the entry has no name that is one (it is not quoted then). */
export function labelOf(entry: Record<string, unknown>, index: number): string {
  const name = entry["name"];
  return typeof name === "string" && DNS_LABEL.test(name) ? `clusters[${index}] (${name})` : `clusters[${index}]`;
}

function versionOf(value: unknown, key: string, fail: Report): KubeSphereVersion | undefined {
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text === "string" && (KUBESPHERE_VERSIONS as readonly string[]).includes(text)) return text as KubeSphereVersion;
  const known = KUBESPHERE_VERSIONS.join(", ");
  if (value === undefined) fail(key, "is missing", `give the KubeSphere minor as a quoted string, one of ${known}`);
  else if (typeof value === "number") {
    // The version it would be when quoted, if that is one: a known version, never the value itself.
    const quoted = (KUBESPHERE_VERSIONS as readonly string[]).find((v) => v === value.toFixed(1)) ?? "4.1";
    fail(key, "is a number, and YAML drops a trailing .0", `quote it, for example version: "${quoted}"; known versions: ${known}`);
  }
  else fail(key, `is ${valueType(value)}, not a KubeSphere version this program knows`, `use one of ${known}`);
  return undefined;
}

function modeOf(value: unknown, version: KubeSphereVersion | undefined, key: string, fail: Report): ManageMode | undefined {
  if (version && majorOf(version) === 4) {
    if (value !== undefined) fail(key, `is set on KubeSphere ${version}`, "remove manage: 4.x has no ks-installer, so the program always edits kubesphere-config");
    return ManageMode.configmap;
  }
  if (value === undefined) return ManageMode.installer;
  if (value === ManageMode.installer || value === ManageMode.configmap) return value;
  fail(key, `is ${valueType(value)}, not a way to manage a 3.x cluster`, "use installer (the default, through ClusterConfiguration ks-installer) or configmap");
  return undefined;
}

/** 3.x: whether ClusterConfiguration ks-installer exists (default true); 4.x never has one. */
function ksInstallerOf(value: unknown, version: KubeSphereVersion | undefined, mode: ManageMode | undefined, key: string, fail: Report): boolean | undefined {
  if (version && majorOf(version) === 4) {
    if (value !== undefined) fail(key, `is set on KubeSphere ${version}`, "remove ksInstaller: 4.x is installed with the ks-core Helm chart");
    return false;
  }
  if (value === undefined) return true;
  if (typeof value !== "boolean") {
    fail(key, `is ${valueType(value)}, not true or false`, "leave it out (the cluster has ClusterConfiguration ks-installer) or set false for a 3.x cluster without ks-installer");
    return undefined;
  }
  if (!value && mode === ManageMode.installer) {
    fail(key, "is false, but manage is installer (the default)", "set manage: configmap for a cluster without ks-installer, or remove ksInstaller: false");
    return undefined;
  }
  return value;
}

function kubeconfigOf(value: unknown, key: string, options: ValidateOptions, fail: Report): KubeconfigDeclaration | undefined {
  if (!isPlainObject(value)) {
    fail(key, value === undefined ? "is missing" : "is not a mapping", "give kubeconfig: {path: <file>} or kubeconfig: {content: <secret>}, and optionally context");
    return undefined;
  }
  for (const k of Object.keys(value)) {
    if (!["path", "content", "context"].includes(k)) fail(`${key}.${shownName(k)}`, "is not a kubeconfig setting", "use path or content, and optionally context");
  }
  const { path, content, context } = value;
  if (context !== undefined && (typeof context !== "string" || context === "")) {
    fail(`${key}.context`, "is not a context name", "give the name of a context in the kubeconfig, or remove context to use its current-context");
    return undefined;
  }
  if ((path === undefined) === (content === undefined)) {
    fail(key, path === undefined ? "has neither path nor content" : "has both path and content", "give exactly one: path (a kubeconfig file) or content (the kubeconfig itself, as a secret)");
    return undefined;
  }
  let text: string;
  let source: string;
  if (path !== undefined) {
    if (typeof path !== "string" || path === "") {
      fail(`${key}.path`, "is not a file path", "give the kubeconfig file's path (~ and paths relative to the project are allowed)");
      return undefined;
    }
    const file = resolveKubeconfigPath(path, options.projectRoot, options.homeDir);
    source = file === path ? shownName(path) : `${shownName(path)} (${shownName(file)})`;
    try {
      text = (options.readFile ?? ((p: string) => readInputFile(p, { label: `${PROJECT}:${key}.path`, ...options.limits })))(file);
    } catch (error) {
      if (error instanceof InputFileError && error.rule !== InputFileRule.missing) {
        fail(`${key}.path`, `${source} ${error.problem}`, error.fix);
        return undefined;
      }
      const code = (error as NodeJS.ErrnoException).code;
      const why = error instanceof InputFileError || code === "ENOENT" ? "no such file" : (code ?? "error");
      fail(`${key}.path`, `${source} cannot be read (${why})`, "point path at an existing kubeconfig file, or give content instead");
      return undefined;
    }
  } else {
    source = `${PROJECT}:${key}.content`;
    if (isPlainObject(content) && typeof content["secure"] === "string") return { source, ...(context ? { context: context as string } : {}) };
    // The offline check passes Pulumi's unknown for a secure value it cannot decrypt: the provider's kubeconfig is
    // then unknown, as in a preview, and what depends on it is an advisory, never a false verdict.
    if (isUnknownValue(content)) return { content: content as string, source, ...(context ? { context: context as string } : {}) };
    if (typeof content !== "string" || content.trim() === "") {
      fail(`${key}.content`, "is not kubeconfig text", `set it with: pulumi config set --secret --path '${key.replace(/\.kubeconfig$/, "")}.kubeconfig.content' < kubeconfig.yaml`);
      return undefined;
    }
    text = content;
  }
  const problem = checkKubeconfig(text, context as string | undefined);
  if (problem) {
    fail(context !== undefined && problem.message.startsWith("has no context") ? `${key}.context` : path !== undefined ? `${key}.path` : `${key}.content`, `(${source}) ${problem.message}`, problem.fix);
    return undefined;
  }
  return { content: text, source, ...(context ? { context: context as string } : {}) };
}

function jwtSecretOf(value: unknown, report: Report): FleetDeclaration["jwtSecret"] {
  if (value === undefined || value === null) return undefined;
  if (isPlainObject(value) && typeof value["secure"] === "string") return { encrypted: true };
  // An offline run passes Pulumi's unknown sentinel for a secret it cannot decrypt: the program then runs as a preview.
  if (isUnknownValue(value)) return { value: value as string };
  const fix = `set a random secret of at least ${MIN_JWT_SECRET_LENGTH} characters with: pulumi config set --secret jwtSecret "$(openssl rand -hex 16)", or remove it to adopt the host's`;
  if (typeof value !== "string") {
    report("jwtSecret", `is ${valueType(value)}, not a string`, fix);
    return undefined;
  }
  const facts = secretFacts(value);
  if (facts.knownDefault) report("jwtSecret", `(${facts.fingerprint}) is ${facts.knownDefault}`, fix);
  else if (facts.length < MIN_JWT_SECRET_LENGTH) report("jwtSecret", `(${facts.fingerprint}) has ${facts.length} characters, fewer than ${MIN_JWT_SECRET_LENGTH}`, fix);
  return { value };
}

const PIN = /^sha256:([0-9a-f]{1,64})$/;

/**
 * A shard's pin of the host stack's jwtSecret, normalised to `sha256:<lower-case hex>`; a jwtSecret whose fingerprint
 * differs is refused here, before anything is declared. The pin is printed only shortened, and a value that is the
 * jwtSecret itself (a hex secret pasted by mistake) is refused without being quoted.
 */
function hostJwtSecretFingerprintOf(value: unknown, jwtSecret: FleetDeclaration["jwtSecret"], report: Report): string | undefined {
  if (value === undefined || value === null) return undefined;
  // A secure pin not decrypted here (`{ secure }`, or the check's unknown for it) is not known: nothing to compare, as
  // with a jwtSecret (docs/security.md); the stack still names a source for the host's secret.
  if ((isPlainObject(value) && typeof value["secure"] === "string") || isUnknownValue(value)) return undefined;
  const fix = `give the host stack's jwtSecret fingerprint as sha256:<hex> (at least ${MIN_PIN_HEX_DIGITS} hex digits), as npm run check -- --stack <host stack> shows it, never the secret itself`;
  const text = typeof value === "string" ? value.trim().toLowerCase() : undefined;
  const known = jwtSecret && "value" in jwtSecret && !isUnknownValue(jwtSecret.value) ? jwtSecret.value : undefined;
  if (typeof value === "string" && known !== undefined && (value.trim() === known || text === `sha256:${known.toLowerCase()}`)) {
    report("hostJwtSecretFingerprint", "holds the jwtSecret itself, not its fingerprint", fix);
    return undefined;
  }
  const match = text === undefined ? null : PIN.exec(text);
  if (!match) {
    report("hostJwtSecretFingerprint", `is ${valueType(value)}, not a jwtSecret fingerprint`, fix);
    return undefined;
  }
  if (match[1]!.length < MIN_PIN_HEX_DIGITS) {
    const digits = match[1]!.length;
    report("hostJwtSecretFingerprint", `has ${digits} hex digit(s) (${digits * 4} bits): another secret with the same prefix is quick to find, and a shard checked alone would then pass in silence`, fix);
    return undefined;
  }
  const pin = `sha256:${match[1]}`;
  if (known !== undefined) {
    const facts = secretFacts(known);
    if (!fingerprintMatches(pin, facts.digest)) {
      report(
        "hostJwtSecretFingerprint",
        `(${pinLabel(pin)}) does not match jwtSecret (${facts.fingerprint})`,
        "set jwtSecret to the fleet's secret (the host's, e.g. from the fleet's Pulumi ESC environment); or, when the host's secret was rotated on purpose, pin the host stack's new fingerprint",
      );
      return undefined;
    }
  }
  return pin;
}


function nameOf(value: unknown, key: string, fallback: string, report: Report): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "string" && value.length <= 253 && DNS_SUBDOMAIN.test(value)) return value;
  report(key, `is ${valueType(value)}, not a Kubernetes object name`, `give a DNS-1123 name such as ${fallback}, or remove it to use ${fallback}`);
  return fallback;
}
