/**
 * Your own Pulumi program, with the fleet's auth settings added to it. Your program already makes (or looks up) its
 * clusters and holds a `k8s.Provider` for each; give those to `KubeSphereFleet`, or give it a kubeconfig and let it
 * make the provider. The fleet's secret comes from stack config, typically a Pulumi ESC environment the stack imports.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { KubeSphereFleet } from "kubesphere-fleet";

const config = new pulumi.Config();

// Stand-ins for the providers your program already has (from an EKS cluster, a K3s VM, …).
const host = new k8s.Provider("host", { kubeconfig: config.requireSecret("hostKubeconfig"), context: "host-admin" });
const edge1 = new k8s.Provider("edge-1", { kubeconfig: config.requireSecret("edge1Kubeconfig") });

const fleet = new KubeSphereFleet("kubesphere", {
  clusters: [
    { name: "host", role: "host", version: "3.4", provider: host },
    { name: "edge-1", role: "member", version: "3.4", provider: edge1 },
    // No provider in your program for this one: the component makes it from the kubeconfig.
    { name: "edge-2", role: "member", version: "4.1", kubeconfig: config.requireSecret("edge2Kubeconfig") },
  ],
  // `esc env set <org>/<project>/<env> pulumiConfig.jwtSecret --secret "$(openssl rand -hex 16)"` and import the
  // environment in Pulumi.<stack>.yaml, or: pulumi config set --secret jwtSecret "$(openssl rand -hex 16)".
  jwtSecret: config.requireSecret("jwtSecret"),
});

/** Per cluster: role, version, mode, jwtSecret fingerprint, accessTokenMaxAge. Never the secret. */
export const clusters = fleet.clusters;
export const jwtSecretSource = fleet.jwtSecretSource;
