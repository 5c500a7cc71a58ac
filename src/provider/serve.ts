import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as provider from "@pulumi/pulumi/provider";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
// The schema analyzer reads the imports breadth first from provider/index.ts and analyzes the first class named
// KubeSphereFleet it meets: this module imports ./kubeSphereFleet and not the TypeScript component's module.
import { KUBESPHERE_FLEET_TYPE, KubeSphereFleet, SECRET_INPUTS, declaredFleet, type KubeSphereFleetArgs } from "./kubeSphereFleet";
import { completeSchema } from "./packageSchema";
import * as pulumi from "@pulumi/pulumi";
import { MAX_PROBLEM_LIST_BYTES, clipBytes } from "../config/problemList";

/** The most of an error message Construct returns: a problem list, and room for the SDK's own words around it. */
const MAX_CONSTRUCT_ERROR_BYTES = MAX_PROBLEM_LIST_BYTES + 1024;

/** The package name: the first part of every type token, and the name of the SDK `pulumi package add` generates. */
export const PACKAGE_NAME = "kubesphere-fleet";

/**
 * The component package's provider: the schema of the SDK's `ComponentProvider` (from the component's TypeScript
 * types), completed by `completeSchema`, and `Construct` of KubeSphereFleet. `pluginDir` holds PulumiPlugin.yaml,
 * package.json and the tsconfig.json the analyzer reads; the version is the repository's.
 */
export function kubeSphereFleetProvider(pluginDir: string): provider.Provider {
  const { version } = JSON.parse(readFileSync(join(pluginDir, "..", "package.json"), "utf8")) as { version: string };
  const components = new ComponentProvider({ components: [KubeSphereFleet], name: PACKAGE_NAME, dirname: pluginDir, version });
  let schema: Promise<string> | undefined;
  return {
    version,
    getSchema: () => (schema ??= components.getSchema().then((json) => completeSchema(json, SECRET_INPUTS))),
    // The SDK's construct would return the outputs at once; this one first waits for the fleet, so a fleet that
    // cannot be declared fails Construct with its one message (the engine shows it) and nothing is patched.
    async construct(name, type, inputs, options) {
      if (type !== KUBESPHERE_FLEET_TYPE) throw new Error(`Package ${PACKAGE_NAME} has no resource type '${type}'; it has ${KUBESPHERE_FLEET_TYPE}.`);
      const fleet = new KubeSphereFleet(name, inputs as KubeSphereFleetArgs, options);
      try {
        await declaredFleet(fleet);
      } catch (error) {
        // The engine gets this message in a gRPC trailer: bounded, so Construct always answers (a trailer past the
        // peer's limit is never delivered, and the engine waits for ever).
        throw new pulumi.RunError(clipBytes(error instanceof Error ? error.message : String(error), MAX_CONSTRUCT_ERROR_BYTES));
      }
      return { urn: fleet.urn, state: { clusters: fleet.clusters, jwtSecretSource: fleet.jwtSecretSource } };
    },
  };
}

/**
 * Serves the provider over gRPC and prints its port, as the engine expects of a plugin. This is what
 * `componentProviderHost` does, with the completed schema and a Construct that waits for the fleet: it has no hook
 * for either.
 */
export function serve(pluginDir: string, args: string[]): Promise<void> {
  return provider.main(kubeSphereFleetProvider(pluginDir), args);
}
