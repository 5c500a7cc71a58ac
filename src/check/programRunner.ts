/**
 * The child process that runs a program of one's own under Pulumi's mock runtime (`check --program`), started by
 * `programRun.ts`. A process of its own, as the Node.js language host is one: the program gets its folder as its
 * working directory, its TypeScript registered as the host registers it, and the check can stop it at its time limit
 * whatever it does (a synchronous loop included). Each registration goes to the parent as it happens.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import Module from "node:module";
import type { KubernetesObject } from "../model/kubernetesObjects";
import type { RecordedResource } from "../mocks/kubernetesMocks";
import { runUnderMocks, type StackConfig as EngineConfig } from "../mocks/runUnderMocks";
import type { ProgramProject } from "./programProject";

export interface ProgramRunRequest {
  readonly kind: "run";
  readonly program: ProgramProject;
  readonly stack: string;
  readonly config: EngineConfig;
  /** Per cluster name, the objects the component's reads see. */
  readonly objects: readonly (readonly [string, readonly KubernetesObject[]])[];
  /** The folder of the kubesphere-fleet package running the check: the program's `kubesphere-fleet` when it has none. */
  readonly checkPackageDir: string;
  /**
   * The program does not resolve `kubesphere-fleet` itself (this repository's examples/, a program not yet installed):
   * the runner's NODE_PATH then holds the package running the check (`programRun.ts`), and TypeScript gets its typings.
   */
  readonly kubesphereFleetFromCheck?: boolean;
}

export type FromProgramRunner =
  | { readonly kind: "resource"; readonly resource: RecordedResource }
  | { readonly kind: "done"; readonly error?: string; readonly outputs: readonly (readonly [string, Record<string, unknown>])[] };

/** The reads KubeSphereFleet makes of a cluster, named `<cluster>-live-<what>` (src/program/readLive.ts). */
const COMPONENT_READ = /^(.+)-live-(configMap|kubesphereSecret|clusterConfiguration)$/;

function send(message: FromProgramRunner): Promise<void> {
  return new Promise((resolve) => process.send!(message, undefined, {}, () => resolve()));
}

async function run(request: ProgramRunRequest): Promise<void> {
  const { program } = request;
  let firstError: unknown;
  const keep = (error: unknown) => {
    firstError ??= error;
  };
  // As the language host does (cmd/run/run.js:405–408): an error the program does not handle fails the run.
  process.on("unhandledRejection", keep);
  process.on("uncaughtException", keep);
  process.chdir(program.dir);
  let outputs: readonly (readonly [string, Record<string, unknown>])[] = [];
  let queue = Promise.resolve();
  try {
    const packageJson = readPackageJson(program.dir);
    if (packageJson["type"] === "module") throw new Error("its package.json says \"type\": \"module\"; the check runs CommonJS programs only (TypeScript compiled to CommonJS, or JavaScript)");
    const fallback = request.kubesphereFleetFromCheck;
    if (program.typescript) registerTypeScript(program, fallback ? { "kubesphere-fleet": [join(request.checkPackageDir, "lib", "index.d.ts")], "kubesphere-fleet/policies": [join(request.checkPackageDir, "policies", "bin", "policies", "fleetPolicies.d.ts")] } : undefined);
    const providerCluster = new Map<string, string>();
    const result = await runUnderMocks(
      {
        project: program.name,
        stack: request.stack,
        config: request.config,
        objects: new Map(request.objects),
        preview: true,
        // The component names each read after its cluster; its other resources use the same provider.
        clusterOf: (resource, providerName) => {
          const read = COMPONENT_READ.exec(resource.name);
          if (read && providerName) providerCluster.set(providerName, read[1]!);
          if (read) return read[1];
          return providerName === undefined ? undefined : (providerCluster.get(providerName) ?? providerName);
        },
        onResource: (resource) => {
          queue = queue.then(async () => send({ kind: "resource", resource: (await settled(resource)) as RecordedResource }));
        },
      },
      async () => {
        // cmd/run/run.js:487–521: require the main (a folder: its package.json main, else index), call an exported function, await it.
        const exported: unknown = require(program.main === program.dir ? `${program.main}/` : program.main);
        const value: unknown = exported instanceof Function ? await (exported as () => unknown)() : await exported;
        // The language host's process runs until its event loop is empty: a component declares its children on later
        // turns (KubeSphereFleet reads each cluster first). The channel to the check must not count as work.
        (process.channel as { unref?(): void } | undefined)?.unref?.();
        await new Promise((resolve) => process.once("beforeExit", resolve));
        return value;
      },
    );
    outputs = [...result.outputs.entries()];
    // A fleet that cannot be declared rejects after the program's body is done: give it a turn to surface.
    await new Promise((resolve) => setImmediate(resolve));
    if (result.error) keep(result.error);
  } catch (error) {
    keep(error);
  }
  await queue;
  await send({ kind: "done", outputs: await settled(outputs) as typeof outputs, ...(firstError !== undefined ? { error: messageOf(firstError) } : {}) });
  process.exit(0);
}

/**
 * TypeScript as the language host registers it (@pulumi/pulumi v3.248.0 cmd/run/run.js:233–361), with the SDK the
 * program resolves (its own copy, else this one): its tsutils picks `typescript` and `ts-node` as the program's SDK
 * finds them (or its vendored ts-node 7.0.1 and typescript 3.8.3), the program's tsconfig.json (or
 * `runtime.options.tsconfig`), type checking unless `PULUMI_NODEJS_TRANSPILE_ONLY=true` or `noCheck`, and ts-node's
 * CommonJS registration with the host's compiler options.
 */
function registerTypeScript(program: ProgramProject, fallbackPaths?: Record<string, string[]>): void {
  const sdk = sdkDir(program.dir);
  const tsutils = require(join(sdk, "tsutils")) as {
    loadTypeScriptCompilerOptions(path: string): Record<string, unknown>;
    typeScriptRequireStrings(): { tsnodeRequire: string; typescriptRequire: string };
  };
  const tsConfigPath = program.tsconfig ?? "tsconfig.json";
  const skipProject = !existsSync(tsConfigPath);
  if (skipProject && program.tsconfig) throw new Error(`tsconfig path was set to ${program.tsconfig} but the file was not found`);
  const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
  const transpileEnv = process.env["PULUMI_NODEJS_TRANSPILE_ONLY"];
  const transpileOnly = transpileEnv ? transpileEnv === "true" : compilerOptions["noCheck"];
  const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
  const fromSdk = Module.createRequire(join(sdk, "tsutils.js"));
  const ts = fromSdk(typescriptRequire) as { version: string };
  const [major, minor] = ts.version.split(".").map(Number) as [number, number];
  const nodeNext = major > 4 || (major === 4 && minor >= 7);
  const tsn = fromSdk(tsnodeRequire) as { register(options: unknown): void };
  tsn.register({
    compiler: typescriptRequire,
    transpileOnly,
    project: tsConfigPath,
    skipProject,
    compilerOptions: {
      target: "ES2020",
      module: nodeNext ? "nodenext" : "commonjs",
      moduleResolution: nodeNext ? "nodenext" : "node",
      sourceMap: "true",
      ...compilerOptions,
      // Only when the program lacks the package (kubesphereFleetFallback): its typings from the same copy.
      ...(fallbackPaths ? { paths: { ...(compilerOptions["paths"] as object | undefined), ...fallbackPaths } } : {}),
    },
  });
}

/** The @pulumi/pulumi the program resolves from its folder, else the one running the check. */
function sdkDir(programDir: string): string {
  try {
    return dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [programDir] }));
  } catch {
    return dirname(require.resolve("@pulumi/pulumi/package.json"));
  }
}

function readPackageJson(dir: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/** A value with its promises (an asset's path or text) settled, ready to cross to the parent. */
async function settled(value: unknown): Promise<unknown> {
  if (value instanceof Promise) return settled(await value.catch(() => undefined));
  if (Array.isArray(value)) return Promise.all(value.map(settled));
  if (value !== null && typeof value === "object") {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await settled(v)] as const));
    return Object.fromEntries(entries.filter(([, v]) => typeof v !== "function"));
  }
  return typeof value === "function" ? undefined : value;
}

/** The error's message as the language host prints it: a RunError's message alone, else its name and message, never a stack. */
function messageOf(error: unknown): string {
  // Tabs (the SDK indents its config hints with one) as spaces, so the message prints as the language host shows it.
  if (!(error instanceof Error)) return String(error).replace(/\t/g, "  ");
  if (error.name === "RunError" || (error as { __pulumiRunError?: boolean }).__pulumiRunError) return error.message.replace(/\t/g, "  ");
  return `${error.name}: ${error.message}`.replace(/\t/g, "  ");
}

process.on("message", (message: ProgramRunRequest) => {
  if (message.kind === "run") void run(message);
});
// The check went (however it ended): so does the program.
process.on("disconnect", () => process.exit(0));
