/**
 * KubeSphereFleet from another language, as a user adopts it: a Pulumi YAML program (the real YAML language host,
 * pulumi-yaml) in a folder of its own, `pulumi package add <repository>/provider`, then `pulumi up` with the real CLI
 * and Kubernetes provider against real API servers. The engine starts the component package through the Node.js
 * language host (the stand-in: its module is not served) and calls Construct; the fleet's patches land on the servers.
 * (Python's language host, sdk/python/cmd/pulumi-language-python/v3, is not served here either: YAML is the other
 * language these machines can run.)
 */
import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { secretFacts } from "../../src/model/secretFacts";
import { FIXTURE_JWT_SECRET } from "../helpers/fixtures";
import { PROJECT_ROOT } from "../helpers/mocksFleet";
import { makeCertificateAuthority } from "../helpers/certificates";
import { startRealClusters, stopRealClusters, type RealCluster } from "./helpers/cluster";
import { getObject, installV34, installV41Member } from "./helpers/kubesphere";
import { pulumiWorkspace } from "./helpers/pulumiCli";
import { realTest } from "./helpers/realTools";
import { realTools } from "../../scripts/realTools";

const NEEDED = ["etcd", "kube-apiserver", "kube-controller-manager", "kubectl", "openssl", "pulumi", "pulumi-resource-kubernetes", "pulumi-language-yaml"] as const;
const FLEET_SECRET = "realToolsYamlFleetJwtSecret0123456789ab";
const CC = "clusterconfiguration.installer.kubesphere.io";

/** A YAML program of one's own declaring the fleet: kubeconfigs and the secret from secret config. */
const YAML_PROGRAM = `name: yaml-fleet
runtime: yaml
stackConfigDir: stacks
config:
  hostKubeconfig:
    type: string
    secret: true
  memberKubeconfig:
    type: string
    secret: true
  jwtSecret:
    type: string
    secret: true
resources:
  fleet:
    type: kubesphere-fleet:index:KubeSphereFleet
    properties:
      clusters:
        - name: host
          role: host
          version: "3.4"
          kubeconfig: \${hostKubeconfig}
        - name: member-2
          role: member
          version: "4.1"
          kubeconfig: \${memberKubeconfig}
      jwtSecret: \${jwtSecret}
outputs:
  clusters: \${fleet.clusters}
  jwtSecretSource: \${fleet.jwtSecretSource}
`;

let clusters: Record<string, RealCluster> | undefined;
const ca = makeCertificateAuthority();
test.after.always(async () => {
  await stopRealClusters(clusters);
  ca.dispose();
});

realTest("a YAML program adds the component package and declares KubeSphereFleet: pulumi up patches the real servers through Construct (with the kubernetes provider @pulumi/kubernetes names; with another, package add cannot bind the schema)", NEEDED, async (t) => {
  clusters = await startRealClusters(ca, ["host", "member-2"], { controllers: true });
  await Promise.all([installV34(clusters["host"]!, "host"), installV41Member(clusters["member-2"]!)]);
  await clusters["member-2"]!.kubectlOk(["scale", "-n", "kubesphere-system", "deployment/ks-apiserver", "--replicas=0"]);
  const own = await pulumiWorkspace("yaml", {}, { files: { "Pulumi.yaml": YAML_PROGRAM } });
  try {
    // What a user of another language runs: the CLI asks the plugin for its schema and records the package.
    const added = await own.pulumiProject(["package", "add", join(PROJECT_ROOT, "provider")]);
    const { kubernetesProvider } = realTools();
    if (kubernetesProvider.name !== kubernetesProvider.wanted) {
      // The package schema refers to the kubernetes provider of @pulumi/kubernetes's version (a schema reference must
      // name one: pkg/codegen/schema bind.go parseTypeSpecRef), and the engine binds it with the plugin it has. Here
      // that is the one the Go module proxy serves, not @pulumi/kubernetes's: blocked until that version is served.
      t.not(added.code, 0);
      t.regex(`${added.stdout}\n${added.stderr}`, new RegExp(`loader returned kubernetes@${kubernetesProvider.name.replace(/\./g, "\\.")}; requested kubernetes@${kubernetesProvider.wanted.replace(/\./g, "\\.")}`));
      t.log(`blocked: the schema names kubernetes ${kubernetesProvider.wanted}, and only ${kubernetesProvider.name} is built here`);
      return;
    }
    t.is(added.code, 0, `${added.stdout}\n${added.stderr}`);
    for (const [key, cluster] of [["hostKubeconfig", "host"], ["memberKubeconfig", "member-2"]] as const) {
      const text = readFileSync(clusters[cluster]!.kubeconfig, "utf8");
      await own.pulumiOk(["config", "set", "--secret", key, text]);
    }
    await own.pulumiOk(["config", "set", "--secret", "jwtSecret", FLEET_SECRET]);

    const up = await own.pulumi(["up", "--yes", "--policy-pack", join(PROJECT_ROOT, "policies")]);
    const output = `${up.stdout}\n${up.stderr}`;
    t.is(up.code, 0, output);
    for (const secret of [FLEET_SECRET, FIXTURE_JWT_SECRET]) t.false(output.includes(secret), `the output holds ${secret.slice(0, 6)}…`);
    t.regex(output, /kubesphere-fleet:index:KubeSphereFleet/);

    const stackOutputs = JSON.parse(await own.pulumiOk(["stack", "output", "--json"])) as { clusters: Record<string, { jwtSecretFingerprint: string; role: string }> };
    t.deepEqual(Object.keys(stackOutputs.clusters).sort(), ["host", "member-2"]);
    for (const summary of Object.values(stackOutputs.clusters)) t.is(summary.jwtSecretFingerprint, secretFacts(FLEET_SECRET).fingerprint);

    const cc = await getObject(clusters["host"]!, CC, "ks-installer");
    t.is((cc.spec as { authentication: { jwtSecret: string } }).authentication.jwtSecret, FLEET_SECRET);
    const config = parse((await getObject(clusters["member-2"]!, "configmap", "kubesphere-config")).data!["kubesphere.yaml"]!) as {
      authentication: { issuer: { jwtSecret: string; accessTokenMaxAge: string } };
    };
    t.true(config.authentication.issuer.jwtSecret === FLEET_SECRET, "member-2 carries the fleet's secret");
    t.is(config.authentication.issuer.accessTokenMaxAge, "0s");
  } finally {
    own.remove();
  }
});
