/**
 * The analysis thread (see `AnalysisThread`): spawns the pack, configures it from the settings the check sends,
 * runs `PackAnalysis` over the resources it sends, and answers `finish` with the diagnostics or the failure.
 */
import { parentPort, workerData } from "node:worker_threads";
import { InputError } from "../cli/exitCodes";
import { launchPolicyPack } from "../engine/policyPack";
import type { AnalysisSettings, FromAnalysisThread, ToAnalysisThread } from "./analysisThread";
import { withHostPin } from "./hostPin";
import { PackAnalysis } from "./packAnalysis";

const port = parentPort!;
const { packDir } = workerData as { packDir: string };
const reply = (message: FromAnalysisThread): void => port.postMessage(message);

let configured!: (settings: AnalysisSettings) => void;
const settings = new Promise<AnalysisSettings>((resolve) => (configured = resolve));

const launched = launchPolicyPack(packDir);
const analysis = new PackAnalysis({
  pack: launched.then((pack) => pack.ready),
  config: async (info) => {
    const { stack, policyPackConfig, fileLimits, hostPin } = await settings;
    // Required only now (it loads ajv): the pack is spawned first.
    const { readPolicyPackConfig } = require("../input/policyPackConfig") as typeof import("../input/policyPackConfig");
    // Read and validated even without a file, as the engine reconciles the pack's defaults either way (pkg/engine/update.go:818).
    const config = readPolicyPackConfig(policyPackConfig, info.policies, fileLimits, { initialConfig: info.initialConfig, warn: (message) => reply({ kind: "note", message }) });
    return withHostPin(config, info.policies, hostPin, stack);
  },
  progress: (message) => reply({ kind: "progress", message }),
});

port.on("message", (message: ToAnalysisThread) => {
  switch (message.kind) {
    case "configure":
      configured(message.settings);
      break;
    case "add":
      analysis.add(message.resource, message.live);
      break;
    case "finish":
      analysis.finish().then(
        (diagnostics) => reply({ kind: "finished", diagnostics, remediations: analysis.remediations }),
        (error: unknown) => reply({ kind: "failed", message: error instanceof Error ? error.message : String(error), inputError: error instanceof InputError }),
      );
      break;
    case "close":
      // Stopped at once, started or not: closing before the pack is up (bad input) does not wait for it to start.
      void launched
        .then((pack) => pack.stop(), () => undefined)
        .then(() => analysis.close())
        .then(() => reply({ kind: "closed" }));
      break;
  }
});
