import test from "ava";
import { AnalyzeRequest } from "@pulumi/pulumi/proto/analyzer_pb";
import { analyzeRequest, enforcementLevelName, resourceUrn, wireEnforcementLevel } from "../../src/engine/analyzerMessages";
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
