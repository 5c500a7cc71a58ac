/** Types for scripts/realTools.js (plain JavaScript: scripts/real-tools runs it with node before anything is compiled). */
export interface GoModuleTool {
  readonly module: string;
  readonly version: string;
  /** The version the tool reports. */
  readonly name: string;
}
export interface RealTools {
  readonly pulumi: GoModuleTool;
  readonly languageNodejs: GoModuleTool & { readonly blocked: boolean };
  readonly kubernetesProvider: GoModuleTool & { readonly wanted: string };
  readonly kubeApiserver: GoModuleTool & { readonly staging: string };
  readonly etcd: { readonly debianPackage: string };
  readonly languageYaml: GoModuleTool;
}
export function realTools(): RealTools;
/** `<cache>/<versions key>`; the cache is $KUBESPHERE_FLEET_REAL_TOOLS, else $XDG_CACHE_HOME (or ~/.cache)/kubesphere-fleet/real-tools. */
export function realToolsDir(env?: NodeJS.ProcessEnv): string;
/** `<cache>/<versions key>/bin`, where `npm run real-tools` puts the binaries. */
export function realToolsBinDir(env?: NodeJS.ProcessEnv): string;
