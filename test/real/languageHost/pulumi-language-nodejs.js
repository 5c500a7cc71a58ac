#!/usr/bin/env node
// A stand-in for Pulumi's Node.js language host, `pulumi-language-nodejs`, for the real-tools tests only.
//
// Why a stand-in: the real host is the Go module github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3,
// and the Go module proxy these machines reach does not serve it (`go list -m -versions` of that path answers
// "403 Forbidden / This module version is not available", at v3.248.0 and @latest). Everything else in the chain is
// real: the Pulumi CLI and engine built from github.com/pulumi/pulumi/pkg/v3, the Kubernetes provider, kube-apiserver,
// etcd, and this repository's program and policy pack, run by the @pulumi/pulumi SDK's own `cmd/run`,
// `cmd/run-policy-pack` and `cmd/run-plugin`, which is what the real host starts.
//
// It follows pulumi/pulumi v3.248.0 `sdk/nodejs/cmd/pulumi-language-nodejs/main.go` (Run, execRuntime,
// constructArguments, constructConfig, parseOptions, locateModule, GetRequiredPackages/getPackagesFromDir/
// getPackageInfo, RunPlugin) and `sdk/policy_proxy.go` (PolicyProxy) function by function, with these differences,
// none of which changes what the program, the pack or the engine sees:
// - no monitor proxy: the real host serves a ResourceMonitor that forwards every call untouched to the engine's; here
//   the program is given the engine's monitor address itself;
// - no `--sync` pipes: they serve only synchronous invokes (`invokeSync`), which neither this project's program nor
//   its component uses; without `--sync` the SDK makes every invoke asynchronous;
// - no debugger attach, no tracing, no bun runtime, no InstallDependencies (the tests install with npm beforehand),
//   no code generation (GenerateProgram, GeneratePackage, Pack, Link: Unimplemented);
// - it exits when its parent (the engine) is gone, checked every second, where the real host checks the engine's
//   health every 5 minutes; and the Node processes it starts exit when it goes (their stdin is a pipe from it, and a
//   line run before their entry exits at its end, as src/engine/pluginProcess.ts starts plugins): a test must leave no
//   process behind.
"use strict";

const { spawn, spawnSync } = require("node:child_process");
const { existsSync, readdirSync, readFileSync, realpathSync, statSync, accessSync, constants } = require("node:fs");
const { delimiter, join, resolve, basename } = require("node:path");
const grpc = require("@grpc/grpc-js");
const languageService = require("@pulumi/pulumi/proto/language_grpc_pb.js");
const language = require("@pulumi/pulumi/proto/language_pb.js");
const pluginProto = require("@pulumi/pulumi/proto/plugin_pb.js");
const analyzerService = require("@pulumi/pulumi/proto/analyzer_grpc_pb.js");
const analyzer = require("@pulumi/pulumi/proto/analyzer_pb.js");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb.js");

/** The version the host reports: the CLI's, as the real host is built and shipped with it. */
const VERSION = process.env.KUBESPHERE_FLEET_LANGUAGE_HOST_VERSION || "v3.248.0";
const NODEJS_BAIL = 32; // nodeJSProcessExitedAfterShowingUserActionableMessage
const children = new Set();
/**
 * Run before a child's own entry: it exits when its stdin, a pipe from this host, ends (this host is gone). The pipe
 * is unref'd, so a program still exits by itself when its work is done.
 */
const EXIT_WITH_PARENT = 'process.stdin.on("end", () => process.exit(0)).on("error", () => process.exit(0)).resume(); process.stdin.unref(); require(process.argv[1]);';

/** `node [nodeArgs] <entry> <args>`, as the real host runs it, except that it exits when this host goes. */
function spawnNode(runtimeBin, nodeArgs, entry, args, options) {
  const [, out, err] = options.stdio;
  return track(spawn(runtimeBin, [...nodeArgs, "-e", EXIT_WITH_PARENT, "--", entry, ...args], { ...options, stdio: ["pipe", out, err] }));
}

function parseFlags(argv) {
  // Go's flag package: -name value, -name=value, --name value; the first non-flag argument ends the flags.
  const flags = { tracing: "", runtime: "nodejs", version: false };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("-") || arg === "-" || arg === "--") {
      if (arg === "--") i++;
      break;
    }
    const [name, inline] = arg.replace(/^--?/, "").split(/=(.*)/s, 2);
    if (name === "version") flags.version = inline === undefined ? true : inline === "true";
    else if (name === "tracing" || name === "runtime") flags[name] = inline !== undefined ? inline : argv[++i];
    else fail(`flag provided but not defined: -${name}`);
  }
  return { flags, args: argv.slice(i) };
}

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
}

function lookPath(file) {
  for (const dir of (process.env.PATH || "").split(delimiter)) {
    const candidate = join(dir || ".", file);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`exec: "${file}": executable file not found in $PATH`);
}

/** main.go parseOptions: typescript defaults to true; wrong types are errors. */
function parseOptions(options) {
  const opts = { typescript: true, tsconfigpath: "", nodeargs: "" };
  if ("typescript" in options) {
    if (typeof options.typescript !== "boolean") throw new Error("typescript option must be a boolean");
    opts.typescript = options.typescript;
  }
  if ("tsconfig" in options) {
    if (typeof options.tsconfig !== "string") throw new Error("tsconfigpath option must be a string");
    opts.tsconfigpath = options.tsconfig;
  }
  if ("nodeargs" in options) {
    if (typeof options.nodeargs !== "string") throw new Error("nodeargs option must be a string");
    opts.nodeargs = options.nodeargs;
  }
  return opts;
}

/** google/shlex Split, for the simple quoting `nodeargs` uses (whitespace, single and double quotes, backslash). */
function shlexSplit(text) {
  const words = [];
  let word = null;
  let quote = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === "\\" && i + 1 < text.length) word += text[++i];
      else word += c;
    } else if (/\s/.test(c)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'" || c === '"') {
      quote = c;
      word = word ?? "";
    } else if (c === "\\" && i + 1 < text.length) {
      word = (word ?? "") + text[++i];
    } else {
      word = (word ?? "") + c;
    }
  }
  if (quote) throw new Error("EOF found when expecting closing quote");
  if (word !== null) words.push(word);
  return words;
}

/** main.go locateModule: `node -e require.resolve(mod)` in the program's folder. */
function locateModule(mod, programDir, nodeBin, isPlugin) {
  const installCommand = isPlugin ? `npm install in ${programDir}` : "pulumi install";
  const script =
    `try { console.log(require.resolve('${mod}')); } catch (error) { if (error.code === 'MODULE_NOT_FOUND') {` +
    ` console.error("It looks like the Pulumi SDK has not been installed. Have you run ${installCommand}?") } else {` +
    ` console.error(error.message); } process.exit(1); }`;
  const result = spawnSync(nodeBin, ["-e", script], { cwd: programDir, encoding: "utf8" });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(result.stderr);
  return result.stdout.trim();
}

/** config.ParseKey: `ns:name`, or the legacy `ns:config:name`. */
function parseConfigKey(key) {
  const parts = key.split(":");
  if (parts.length === 2 && parts[0] && parts[1]) return { namespace: parts[0], name: parts[1] };
  if (parts.length === 3 && parts[1] === "config" && parts[0] && parts[2]) return { namespace: parts[0], name: parts[2] };
  throw new Error(`could not parse ${JSON.stringify(key)} as a configuration key (configuration keys should be of the form \`<namespace>:<name>\`)`);
}

/** main.go constructConfig: the program sees keys in the old `<ns>:config:<name>` form. Go's json.Marshal sorts keys. */
function constructConfig(configMap) {
  const transformed = {};
  for (const [key, value] of [...configMap.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const { namespace, name } = parseConfigKey(key);
    transformed[`${namespace}:config:${name}`] = value;
  }
  return JSON.stringify(sortKeys(transformed));
}

function sortKeys(object) {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function track(child) {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** Interrupts, then kills after 5 s, as exec.Cmd's Cancel with WaitDelay 5 s does. */
function interrupt(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGINT");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  timer.unref();
}

function exitMessage(code, signal) {
  // exec.ExitError.ExitCode() is -1 for a process ended by a signal.
  return `Program exited with non-zero exit code: ${signal ? -1 : code}`;
}

class NodeLanguageHost {
  constructor(engineAddress, runtime) {
    this.engineAddress = engineAddress;
    this.runtime = runtime;
  }

  handshake(call, callback) {
    this.engineAddress = call.request.getEngineAddress();
    callback(null, new language.LanguageHandshakeResponse());
  }

  getPluginInfo(_call, callback) {
    const info = new pluginProto.PluginInfo();
    info.setVersion(VERSION);
    callback(null, info);
  }

  getRequiredPackages(call, callback) {
    const programDir = call.request.getInfo().getProgramDirectory();
    const packages = [];
    try {
      getPackagesFromDir(programDir, false, new Set(), packages);
    } catch {
      // main.go logs discovery errors at verbosity 3 and returns what it found.
    }
    const response = new language.GetRequiredPackagesResponse();
    response.setPackagesList(packages);
    callback(null, response);
  }

  about(call, callback) {
    const response = new language.AboutResponse();
    try {
      response.setExecutable(lookPath("node"));
      response.setVersion(process.version);
    } catch (error) {
      return callback({ code: grpc.status.UNKNOWN, details: `could not find executable "node": ${error.message}` });
    }
    response.getMetadataMap().set("packagemanager", "npm");
    callback(null, response);
  }

  getProgramDependencies(call, callback) {
    // npm ls of the program's direct dependencies, read from node_modules as npm does.
    const programDir = call.request.getInfo().getProgramDirectory();
    const response = new language.GetProgramDependenciesResponse();
    try {
      const manifest = JSON.parse(readFileSync(join(programDir, "package.json"), "utf8"));
      const names = Object.keys({ ...(manifest.dependencies || {}), ...(manifest.devDependencies || {}) }).sort();
      response.setDependenciesList(
        names.flatMap((name) => {
          const file = join(programDir, "node_modules", name, "package.json");
          if (!existsSync(file)) return [];
          const info = new language.DependencyInfo();
          info.setName(name);
          info.setVersion(JSON.parse(readFileSync(file, "utf8")).version);
          return [info];
        }),
      );
    } catch (error) {
      return callback({ code: grpc.status.UNKNOWN, details: `failed to get node dependencies: ${error.message}` });
    }
    callback(null, response);
  }

  installDependencies(call) {
    // The tests install with npm before any pulumi command; nothing to do here.
    call.end();
  }

  runtimeOptionsPrompts(_call, callback) {
    callback(null, new language.RuntimeOptionsResponse());
  }

  cancel(_call, callback) {
    for (const child of children) interrupt(child);
    callback(null, new Empty());
  }

  run(call, callback) {
    const req = call.request;
    const respond = (error, bail = false) => {
      const response = new language.RunResponse();
      response.setError(error);
      response.setBail(bail);
      callback(null, response);
    };
    let runtimeBin;
    try {
      runtimeBin = lookPath(this.runtime === "nodejs" ? "node" : this.runtime);
    } catch (error) {
      return respond(`could not find node on the $PATH: ${error.message}`);
    }
    const info = req.getInfo();
    const programDir = info.getProgramDirectory();
    let runPath;
    try {
      runPath = locateModule(process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH || "@pulumi/pulumi/cmd/run", programDir, runtimeBin, false);
    } catch (error) {
      return respond(error.message);
    }

    const args = [runPath];
    const maybe = (name, value) => value && args.push(`--${name}`, String(value));
    maybe("monitor", req.getMonitorAddress());
    maybe("engine", this.engineAddress);
    maybe("organization", req.getOrganization());
    maybe("project", req.getProject());
    maybe("root-directory", info.getRootDirectory());
    maybe("stack", req.getStack());
    maybe("pwd", programDir);
    if (req.getDryrun()) args.push("--dry-run");
    maybe("parallel", String(req.getParallel()));
    args.push(info.getEntryPoint(), ...req.getArgsList());

    let config;
    try {
      config = constructConfig(req.getConfigMap());
    } catch (error) {
      return respond(`failed to serialize configuration: ${error.message}`);
    }
    const env = { ...process.env, PULUMI_CONFIG: config, PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.getConfigsecretkeysList()) };
    let opts;
    let nodeArgs;
    try {
      opts = parseOptions(info.getOptions() ? info.getOptions().toJavaScript() : {});
      nodeArgs = shlexSplit(opts.nodeargs);
    } catch (error) {
      return respond(error.message);
    }
    if (opts.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
    if (opts.tsconfigpath) env.PULUMI_NODEJS_TSCONFIG_PATH = opts.tsconfigpath;

    const [entry, ...rest] = args;
    const child = spawnNode(runtimeBin, nodeArgs, entry, rest, { env, stdio: ["ignore", "inherit", "inherit"] });
    call.on("cancelled", () => interrupt(child));
    child.once("error", (error) => respond(`Problem executing program (could not run language executor): ${error.message}`));
    child.once("exit", (code, signal) => {
      if (code === 0) respond("");
      else if (code === NODEJS_BAIL) respond("", true);
      else respond(exitMessage(code, signal));
    });
  }

  runPlugin(call) {
    const req = call.request;
    const send = (kind, chunk) => {
      const response = new language.RunPluginResponse();
      if (kind === "stdout") response.setStdout(chunk);
      else response.setStderr(chunk);
      call.write(response);
    };
    const finish = (error) => {
      if (error) call.destroy(Object.assign(new Error(error), { code: grpc.status.UNKNOWN, details: error }));
      else call.end();
    };
    (async () => {
      const runtimeBin = lookPath(this.runtime === "nodejs" ? "node" : this.runtime);
      const info = req.getInfo();
      const programDir = info.getProgramDirectory();
      const opts = parseOptions(info.getOptions() ? info.getOptions().toJavaScript() : {});
      const env = envFromList(req.getEnvList());
      if (opts.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
      if (opts.tsconfigpath) env.PULUMI_NODEJS_TSCONFIG_PATH = opts.tsconfigpath;
      const isAnalyzer = req.getKind() === "analyzer";
      const module = isAnalyzer
        ? "@pulumi/pulumi/cmd/run-policy-pack"
        : process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH || "@pulumi/pulumi/cmd/run-plugin";
      const runPath = locateModule(module, programDir, runtimeBin, true);
      // main.go appends nodeargs after the entry: they reach the plugin as its first arguments, not Node's.
      const args = [...shlexSplit(opts.nodeargs)];
      if (isAnalyzer) args.push(...req.getArgsList(), programDir);
      else args.push(programDir, ...req.getArgsList());

      let proxy;
      if (isAnalyzer) {
        proxy = await PolicyProxy.start();
        send("stdout", Buffer.from(`${proxy.port}\n`));
        const config = await proxy.configuration;
        if (config) {
          const maybeEnv = (key, value) => value && (env[key] = value);
          maybeEnv("PULUMI_NODEJS_ORGANIZATION", config.getOrganization());
          maybeEnv("PULUMI_NODEJS_PROJECT", config.getProject());
          maybeEnv("PULUMI_NODEJS_STACK", config.getStack());
          maybeEnv("PULUMI_NODEJS_DRY_RUN", String(config.getDryRun()));
          const stackConfig = Object.fromEntries(config.getConfigMap().entries());
          maybeEnv("PULUMI_CONFIG", JSON.stringify(sortKeys(stackConfig)));
        }
      }
      const child = spawnNode(runtimeBin, [], runPath, args, { cwd: isAnalyzer ? programDir : req.getPwd(), env, stdio: ["ignore", "pipe", "pipe"] });
      call.on("cancelled", () => interrupt(child));
      child.stderr.on("data", (chunk) => send("stderr", chunk));
      const exited = new Promise((resolveExit) => {
        child.once("error", (error) => resolveExit(`Problem executing plugin program (could not run language executor): ${error.message}`));
        child.once("exit", (code, signal) => resolveExit(code === 0 ? "" : exitMessage(code, signal)));
      });
      if (proxy) {
        await proxy.attach(child, (chunk) => send("stdout", chunk), exited);
      } else {
        child.stdout.on("data", (chunk) => send("stdout", chunk));
      }
      const error = await exited;
      if (proxy) proxy.stop();
      finish(error);
    })().catch((error) => finish(error.message));
  }
}

function envFromList(list) {
  const env = {};
  for (const entry of list) {
    const at = entry.indexOf("=");
    if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
  }
  return env;
}

/** main.go getPackagesFromDir: every package.json under a node_modules folder with `pulumi.resource: true`. */
function getPackagesFromDir(dir, inNodeModules, visited, packages) {
  dir = resolve(dir);
  if (visited.has(dir)) return;
  visited.add(dir);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    let current = join(dir, entry.name);
    let isDir = entry.isDirectory();
    if (entry.isSymbolicLink()) {
      try {
        current = realpathSync(current);
        isDir = statSync(current).isDirectory();
      } catch {
        continue;
      }
    }
    if (isDir) {
      // Nested policy packs are not the program's dependencies (workspace.DetectPolicyPackPathAt).
      if (existsSync(join(current, "PulumiPolicy.yaml")) || existsSync(join(current, "PulumiPolicy.yml"))) continue;
      getPackagesFromDir(current, inNodeModules || basename(dir) === "node_modules", visited, packages);
    } else if (inNodeModules && entry.name === "package.json") {
      let info;
      try {
        info = JSON.parse(readFileSync(current, "utf8"));
      } catch {
        continue;
      }
      const pulumi = info.pulumi || {};
      if (!pulumi.resource) continue;
      let name = pulumi.name;
      if (!name) {
        if (typeof info.name !== "string" || !info.name.startsWith("@pulumi/")) continue;
        name = info.name.slice("@pulumi/".length);
      }
      let version = pulumi.version || info.version;
      if (!version) continue;
      if (!version.startsWith("v")) version = `v${version}`;
      const dependency = new pluginProto.PackageDependency();
      dependency.setName(name);
      dependency.setKind("resource");
      dependency.setVersion(version);
      dependency.setServer(pulumi.server || "");
      if (pulumi.parameterization) {
        const parameterization = new pluginProto.PackageParameterization();
        parameterization.setName(pulumi.parameterization.name);
        parameterization.setVersion(pulumi.parameterization.version);
        parameterization.setValue(Buffer.from(pulumi.parameterization.value || "", "base64"));
        dependency.setParameterization(parameterization);
      }
      packages.push(dependency);
    }
  }
}

/**
 * sdk/policy_proxy.go PolicyProxy: the engine talks to this Analyzer server first. It answers Handshake itself and
 * keeps ConfigureStack's request, from which the pack's environment is made; once the pack has printed its port, the
 * stored ConfigureStack is replayed to it and every other call is forwarded.
 */
class PolicyProxy {
  static start() {
    const proxy = new PolicyProxy();
    return new Promise((resolveStart, reject) => {
      proxy.server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
        if (error) return reject(error);
        proxy.port = port;
        resolveStart(proxy);
      });
    });
  }

  constructor() {
    let fulfil;
    this.configuration = new Promise((resolveConfig) => (fulfil = resolveConfig));
    this.fulfilConfiguration = (request) => {
      if (!this.configured) {
        this.configured = true;
        this.storedConfiguration = request;
        fulfil(request);
      }
    };
    this.client = new Promise((resolveClient, rejectClient) => {
      this.fulfilClient = resolveClient;
      this.rejectClient = rejectClient;
    });
    this.client.catch(() => undefined);
    this.server = new grpc.Server();
    const forward = (method) => (call, callback) => {
      this.fulfilConfiguration(null);
      this.client.then(
        (client) => client[method](call.request, callback),
        (error) => callback({ code: grpc.status.UNKNOWN, details: `policy pack not started: ${error.message}` }),
      );
    };
    this.server.addService(analyzerService.AnalyzerService, {
      handshake: (_call, callback) => callback(null, new analyzer.AnalyzerHandshakeResponse()),
      configureStack: (call, callback) => {
        this.fulfilConfiguration(call.request);
        callback(null, new analyzer.AnalyzerStackConfigureResponse());
      },
      analyze: forward("analyze"),
      analyzeStack: forward("analyzeStack"),
      remediate: forward("remediate"),
      getAnalyzerInfo: forward("getAnalyzerInfo"),
      getPluginInfo: forward("getPluginInfo"),
      configure: forward("configure"),
      cancel: forward("cancel"),
    });
  }

  /** Reads the pack's port from its stdout, copies the rest to `toEngine`, connects, replays ConfigureStack. */
  async attach(child, toEngine, exited) {
    let buffered = "";
    const port = await new Promise((resolvePort, reject) => {
      const onData = (chunk) => {
        buffered += chunk.toString("utf8");
        const match = /^(\d+)\n/.exec(buffered);
        if (match) {
          child.stdout.off("data", onData);
          const rest = buffered.slice(match[0].length);
          if (rest) toEngine(Buffer.from(rest));
          child.stdout.on("data", toEngine);
          resolvePort(Number(match[1]));
        }
      };
      child.stdout.on("data", onData);
      exited.then(() => reject(new Error("could not read policy pack port: EOF")));
    }).catch((error) => {
      this.rejectClient(error);
      throw error;
    });
    const client = new analyzerService.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    this.packClient = client;
    await new Promise((resolveConfigure, reject) => {
      client.configureStack(this.storedConfiguration || new analyzer.AnalyzerStackConfigureRequest(), (error) => {
        if (error && error.code !== grpc.status.UNIMPLEMENTED) {
          const configError = new Error(`policy pack configuration failed: ${error.message}`);
          this.rejectClient(configError);
          return reject(configError);
        }
        resolveConfigure();
      });
    });
    this.fulfilClient(client);
  }

  stop() {
    if (this.packClient) this.packClient.close();
    this.server.forceShutdown();
  }
}

function main() {
  const { flags, args } = parseFlags(process.argv.slice(2));
  if (flags.version) {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  if (flags.runtime !== "nodejs") fail(`unsupported runtime: ${flags.runtime}`);
  const host = new NodeLanguageHost(args[0] || "", flags.runtime);
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(languageService.LanguageRuntimeService, {
    handshake: host.handshake.bind(host),
    getPluginInfo: host.getPluginInfo.bind(host),
    getRequiredPackages: host.getRequiredPackages.bind(host),
    about: host.about.bind(host),
    getProgramDependencies: host.getProgramDependencies.bind(host),
    installDependencies: host.installDependencies.bind(host),
    runtimeOptionsPrompts: host.runtimeOptionsPrompts.bind(host),
    cancel: host.cancel.bind(host),
    run: host.run.bind(host),
    runPlugin: host.runPlugin.bind(host),
  });
  server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
    if (error) fail(`could not start language host RPC server: ${error.message}`);
    process.stdout.write(`${port}\n`);
  });
  const parent = process.ppid;
  const stop = () => {
    for (const child of children) child.kill("SIGKILL");
    process.exit(0);
  };
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 1000).unref();
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main();
