import test from "ava";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AnalyzeRequest, AnalyzeStackRequest } from "@pulumi/pulumi/proto/analyzer_pb";
import { parse } from "yaml";
import {
  analyzeRequest,
  analyzeRequestBytes,
  analyzerResource,
  analyzeStackRequestBytes,
  encodeAnalyzerResource,
  enforcementLevelName,
  resourceUrn,
  wireEnforcementLevel,
  type ResourceInput,
} from "../../src/engine/analyzerMessages";
import { encodeStruct } from "../../src/engine/structEncoding";
import { fromStruct, isWireSecret, secret, SECRET_SIG, SPECIAL_SIG_KEY, toStruct, WIRE_UNKNOWN } from "../../src/engine/wire";

test("a secret is the engine's signature object and survives a Struct round trip", (t) => {
  const wrapped = secret({ kubeconfig: "apiVersion: v1" });
  t.deepEqual(wrapped as unknown, { [SPECIAL_SIG_KEY]: SECRET_SIG, value: { kubeconfig: "apiVersion: v1" } });
  t.true(isWireSecret(wrapped));
  t.false(isWireSecret({ value: 1 }));
  const back = fromStruct(toStruct({ data: wrapped, replicas: 3, on: true, none: null, list: [WIRE_UNKNOWN], skipped: undefined }));
  t.deepEqual(back, { data: { [SPECIAL_SIG_KEY]: SECRET_SIG, value: { kubeconfig: "apiVersion: v1" } }, replicas: 3, on: true, none: null, list: [WIRE_UNKNOWN] });
});

test("non-JSON values are refused with their path", (t) => {
  t.throws(() => toStruct({ spec: { replicas: Number.NaN } }), { message: /Property \.spec\.replicas is NaN/ });
  t.throws(() => toStruct({ fn: () => 1 }), { message: /Property \.fn is a function/ });
});

test("an AnalyzeRequest carries options, the provider reference and a default URN, and survives serialisation", (t) => {
  const request = analyzeRequest({
    type: "kubernetes:core/v1:ConfigMap",
    name: "cfg",
    properties: { metadata: { name: "kubesphere-config" } },
    provider: { name: "edge", properties: { kubeconfig: secret("x") } },
  });
  const decoded = AnalyzeRequest.deserializeBinary(request.serializeBinary());
  t.is(decoded.getUrn(), resourceUrn("kubernetes:core/v1:ConfigMap", "cfg"));
  t.true(decoded.hasOptions());
  t.is(decoded.getProvider()!.getUrn(), "urn:pulumi:dev::kubesphere-fleet::pulumi:providers:kubernetes::edge");
  t.deepEqual(fromStruct(decoded.getProvider()!.getProperties()), { kubeconfig: { [SPECIAL_SIG_KEY]: SECRET_SIG, value: "x" } });
});

test("enforcement levels map both ways", (t) => {
  for (const level of ["advisory", "mandatory", "disabled", "remediate"] as const) t.is(enforcementLevelName(wireEnforcementLevel(level)), level);
  t.throws(() => wireEnforcementLevel("strict" as never), { message: /Unknown enforcement level 'strict'/ });
});

test("a Struct written straight to bytes is byte for byte what google-protobuf writes, for real objects and every kind of value", (t) => {
  const fixtures = ["v3.4/cluster-configuration.yaml", "v3.4/kubesphere-config.host.yaml", "v3.4/kubesphere-secret.yaml"].map(
    (file) => parse(readFileSync(join(__dirname, "..", "fixtures", "kubesphere", file), "utf8")) as Record<string, unknown>,
  );
  const edges = {
    empty: { string: "", list: [], map: {} },
    numbers: [0, -1, 1.5, 2 ** 53, -1e-300, 1e300],
    text: { unicode: "Grüße, 集群 🚀", long: "x".repeat(200), longer: "é".repeat(20_000) },
    // Keys sort by UTF-16 code unit, as google-protobuf sorts a map's keys.
    keys: { b: 1, a: 2, "10": 3, "9": 4, Z: 5, "ä": 6, "𝔸": 7, "": 8 },
    secret: secret({ kubeconfig: "apiVersion: v1" }),
    unknown: WIRE_UNKNOWN,
    nested: [[null, true, false], { list: [{ deep: [1, "two"] }] }],
    skipped: undefined,
  };
  for (const properties of [...fixtures, edges, {}]) t.deepEqual(Buffer.from(encodeStruct(properties)), Buffer.from(toStruct(properties).serializeBinary()));
  t.throws(() => encodeStruct({ spec: { replicas: Number.NaN } }), { message: /Property \.spec\.replicas is NaN/ });
});

test("an AnalyzeStack request joined from resources encoded one at a time decodes to the request google-protobuf builds", (t) => {
  const resources: ResourceInput[] = [
    { type: "kubernetes:core/v1:ConfigMapPatch", name: "host-kubesphere-config", properties: { data: { "kubesphere.yaml": secret("a: 1\n".repeat(100)) } }, provider: { name: "host", properties: { kubeconfig: secret("x") } }, parent: "urn:p", dependencies: ["urn:a", "urn:b"] },
    { type: "pulumi:providers:kubernetes", name: "host", properties: {} },
  ];
  const joined = AnalyzeStackRequest.deserializeBinary(analyzeStackRequestBytes(resources.map(encodeAnalyzerResource)));
  t.deepEqual(joined.toObject(), new AnalyzeStackRequest().setResourcesList(resources.map(analyzerResource)).toObject());
  t.deepEqual(AnalyzeRequest.deserializeBinary(analyzeRequestBytes(resources[0]!)).toObject(), analyzeRequest(resources[0]!).toObject());
});
