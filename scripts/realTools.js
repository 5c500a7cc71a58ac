// Where `npm run real-tools` puts the real Pulumi CLI, Kubernetes provider, kube-apiserver and etcd, and at which
// versions: the one place that says so. `scripts/real-tools` (the build) and `test/real/` (the tests that run the
// tools) both read it. Plain JavaScript: the build script runs it with node before anything is compiled.
//
// The cache lies outside the repository, so no binary is ever committed:
//   ${KUBESPHERE_FLEET_REAL_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/kubesphere-fleet/real-tools}/<versions key>/bin
// The versions key names every pinned version and the Go toolchain, so a change of any of them builds into a new
// directory and never mixes binaries of two pins.
"use strict";
const { readFileSync } = require("node:fs");
const { homedir } = require("node:os");
const { join } = require("node:path");

const ROOT = join(__dirname, "..");

/** The npm package's version in package-lock.json: the Go module is pinned to the same release. */
function lockedVersion(name) {
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8"));
  const entry = lock.packages && lock.packages[`node_modules/${name}`];
  if (!entry || !entry.version) throw new Error(`package-lock.json has no version of ${name}: run npm install`);
  return entry.version;
}

/**
 * The pinned tools. `module`/`version` are what `go` fetches; `name` is what the tool calls itself.
 *  - pulumi: the CLI at @pulumi/pulumi's release.
 *  - pulumi-resource-kubernetes: @pulumi/kubernetes is 4.x newer than what the Go module proxy serves here; the one
 *    served version of provider/v4 is the pseudo-version of commit f47bc2d6f199, which is tag v4.25.0.
 *  - kube-apiserver: k8s.io/kubernetes at a supported minor whose staging modules (k8s.io/api v0.36.3...) are served.
 *  - etcd: Debian's etcd-server package (not built; the script installs it with apt-get when missing).
 *  - pulumi-language-nodejs: its module is not served (403): recorded as blocked; the real tests use a stand-in
 *    (test/real/languageHost), said to be one.
 *  - pulumi-language-yaml: pulumi-yaml v1.25.0, for a program of another language declaring the component.
 */
function realTools() {
  const pulumi = lockedVersion("@pulumi/pulumi");
  return {
    pulumi: { module: "github.com/pulumi/pulumi/pkg/v3", version: `v${pulumi}`, name: pulumi },
    languageNodejs: {
      module: "github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3",
      version: `v${pulumi}`,
      name: pulumi,
      blocked: true,
    },
    kubernetesProvider: {
      module: "github.com/pulumi/pulumi-kubernetes/provider/v4",
      version: "v4.0.0-20260115033456-f47bc2d6f199",
      name: "4.25.0",
      wanted: lockedVersion("@pulumi/kubernetes"),
    },
    kubeApiserver: { module: "k8s.io/kubernetes", version: "v1.36.3", name: "v1.36.3", staging: "v0.36.3" },
    // The YAML language host: a Pulumi program in another language than the component's (Python's host,
    // sdk/python/cmd/pulumi-language-python/v3, is not served here: 403).
    languageYaml: { module: "github.com/pulumi/pulumi-yaml", version: "v1.25.0", name: "1.25.0" },
    etcd: { debianPackage: "etcd-server" },
  };
}

/** The directory for one set of pins: `<cache>/<versions key>`. */
function realToolsDir(env = process.env) {
  const tools = realTools();
  const cache =
    env.KUBESPHERE_FLEET_REAL_TOOLS ||
    join(env.XDG_CACHE_HOME || join(env.HOME || homedir(), ".cache"), "kubesphere-fleet", "real-tools");
  const key = [
    `pulumi-${tools.pulumi.name}`,
    `kubernetes-${tools.kubernetesProvider.name}`,
    `kube-apiserver-${tools.kubeApiserver.name}`,
  ].join("_");
  return join(cache, key);
}

/** Where the built binaries are: `<cache>/<versions key>/bin`. */
function realToolsBinDir(env = process.env) {
  return join(realToolsDir(env), "bin");
}

module.exports = { realTools, realToolsDir, realToolsBinDir };

// `node scripts/realTools.js`: the pins and paths as shell assignments, for scripts/real-tools.
if (require.main === module) {
  const t = realTools();
  const q = (s) => `'${String(s).replace(/'/g, "'\\''")}'`;
  const vars = {
    REAL_TOOLS_DIR: realToolsDir(),
    REAL_TOOLS_BIN: realToolsBinDir(),
    PULUMI_MODULE: t.pulumi.module,
    PULUMI_VERSION: t.pulumi.version,
    LANGUAGE_NODEJS_MODULE: t.languageNodejs.module,
    LANGUAGE_NODEJS_VERSION: t.languageNodejs.version,
    PROVIDER_MODULE: t.kubernetesProvider.module,
    PROVIDER_VERSION: t.kubernetesProvider.version,
    PROVIDER_NAME: t.kubernetesProvider.name,
    PROVIDER_WANTED: t.kubernetesProvider.wanted,
    KUBERNETES_MODULE: t.kubeApiserver.module,
    KUBERNETES_VERSION: t.kubeApiserver.version,
    KUBERNETES_STAGING_VERSION: t.kubeApiserver.staging,
    ETCD_PACKAGE: t.etcd.debianPackage,
    LANGUAGE_YAML_MODULE: t.languageYaml.module,
    LANGUAGE_YAML_VERSION: t.languageYaml.version,
  };
  for (const [k, v] of Object.entries(vars)) console.log(`${k}=${q(v)}`);
}
