import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as provider from "@pulumi/pulumi/provider";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { KubeSphereFleet, SECRET_INPUTS } from "./kubeSphereFleet";
import { completeSchema } from "./packageSchema";

/** The package name: the first part of every type token, and the name of the SDK `pulumi package add` generates. */
export const PACKAGE_NAME = "kubesphere-fleet";

/**
 * The component package's provider: the SDK's `ComponentProvider` (schema from the component's TypeScript types,
 * `Construct` by class name) with the schema completed by `completeSchema`. `pluginDir` holds PulumiPlugin.yaml,
 * package.json and the tsconfig.json the analyzer reads; the version is the repository's.
 */
export function kubeSphereFleetProvider(pluginDir: string): provider.Provider {
  const { version } = JSON.parse(readFileSync(join(pluginDir, "..", "package.json"), "utf8")) as { version: string };
  const components = new ComponentProvider({ components: [KubeSphereFleet], name: PACKAGE_NAME, dirname: pluginDir, version });
  let schema: Promise<string> | undefined;
  return {
    version,
    getSchema: () => (schema ??= components.getSchema().then((json) => completeSchema(json, SECRET_INPUTS))),
    construct: (name, type, inputs, options) => components.construct(name, type, inputs, options),
  };
}

/**
 * Serves the provider over gRPC and prints its port, as the engine expects of a plugin. This is what
 * `componentProviderHost` does, with the completed schema: it has no hook for one.
 */
export function serve(pluginDir: string, args: string[]): Promise<void> {
  return provider.main(kubeSphereFleetProvider(pluginDir), args);
}
