import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import type { KubernetesObject } from "../../src/model/kubernetesObjects";

/** The KubeSphere fixtures the tests read, inside the repository (provenance: test/fixtures/kubesphere/README.md). */
export const FIXTURES_DIR = join(__dirname, "..", "fixtures", "kubesphere");

/** The fake jwtSecret every fixture uses; tests grep output for it. */
export const FIXTURE_JWT_SECRET = "fixtureJwtSecretAAAAAAAAAAAAAAAA";

export function fixtureText(relative: string): string {
  return readFileSync(join(FIXTURES_DIR, relative), "utf8");
}

export function fixtureObject(relative: string): KubernetesObject & Record<string, unknown> {
  const docs = parseAllDocuments(fixtureText(relative)).filter((d) => d.contents !== null);
  return docs[0]!.toJS() as KubernetesObject & Record<string, unknown>;
}

/** kubesphere.yaml of a fixture ConfigMap, e.g. `v3.4/kubesphere-config.member.yaml`. */
export function fixtureKubesphereYaml(relative: string): string {
  return (parse(fixtureText(relative)) as { data: Record<string, string> }).data["kubesphere.yaml"]!;
}

export const VERSIONS = ["v3.4", "v4.1"] as const;
