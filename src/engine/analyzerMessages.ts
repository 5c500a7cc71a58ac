import {
  AnalyzeDiagnostic,
  AnalyzeRequest,
  AnalyzerInfo,
  AnalyzerProviderResource,
  AnalyzerResource,
  AnalyzerResourceOptions,
  EnforcementLevel as WireEnforcementLevel,
  PolicyConfig,
  PolicyInfo,
  PolicySeverity,
  RemediateResponse,
  type PolicyNotApplicable,
} from "@pulumi/pulumi/proto/analyzer_pb";
import { encodeStruct, lengthDelimitedField } from "./structEncoding";
import { fromStruct, toStruct } from "./wire";

/** The stack and project URNs are built in unless a resource gives its own `urn`. */
export const DEFAULT_STACK = "dev";
export const DEFAULT_PROJECT = "kubesphere-fleet";

export type EnforcementLevel = "advisory" | "mandatory" | "disabled" | "remediate";
export type PolicySeverityName = "unspecified" | "low" | "medium" | "high" | "critical";

/** A resource's provider, as the engine attaches it to every resource it analyses. */
export interface ProviderInput {
  /** Default `pulumi:providers:kubernetes`. */
  readonly type?: string;
  readonly name: string;
  readonly urn?: string;
  /** The provider's inputs in wire form (e.g. `{ kubeconfig: secret(text) }`). */
  readonly properties: Readonly<Record<string, unknown>>;
}

/** A resource to analyse. `properties` are its inputs in wire form: wrap secrets with `secret()`, unknowns are `WIRE_UNKNOWN`. */
export interface ResourceInput {
  readonly type: string;
  readonly name: string;
  /** Default `urn:pulumi:dev::kubesphere-fleet::<type>::<name>`. */
  readonly urn?: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly provider?: ProviderInput;
  readonly parent?: string;
  readonly dependencies?: readonly string[];
}

/** A policy violation or note, as the engine receives it. */
export interface PolicyDiagnostic {
  readonly policyName: string;
  readonly policyPackName: string;
  readonly policyPackVersion: string;
  readonly description: string;
  readonly message: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly severity: PolicySeverityName;
  /** The resource it is about; empty for a stack-wide finding with no resource. */
  readonly urn: string;
}

export interface NotApplicable {
  readonly policyName: string;
  readonly reason: string;
}

/** What `Analyze` or `AnalyzeStack` returned. */
export interface AnalyzeResult {
  readonly diagnostics: readonly PolicyDiagnostic[];
  readonly notApplicable: readonly NotApplicable[];
}

export interface PolicyDescription {
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly severity: PolicySeverityName;
  readonly remediationSteps: string;
  readonly url: string;
  readonly type: "resource" | "stack" | "unknown";
  readonly configSchema?: { readonly properties: Record<string, unknown>; readonly required: readonly string[] };
}

/** What `GetAnalyzerInfo` returned. */
export interface PackInfo {
  readonly name: string;
  readonly version: string;
  readonly supportsConfig: boolean;
  readonly policies: readonly PolicyDescription[];
  /** Initial config per policy, as the pack declares it. */
  readonly initialConfig: Readonly<Record<string, { readonly enforcementLevel: EnforcementLevel; readonly properties: Record<string, unknown> }>>;
}

/** A remediation a policy proposed: the resource's new inputs (plain, secrets wrapped) or a diagnostic. */
export interface RemediationResult {
  readonly policyName: string;
  readonly description: string;
  readonly properties?: Record<string, unknown>;
  readonly diagnostic: string;
}

export interface RemediateResult {
  readonly remediations: readonly RemediationResult[];
  readonly notApplicable: readonly NotApplicable[];
}

/** A policy's entry in `--policy-pack-config`: an enforcement level and/or its config properties. */
export type PolicyConfigInput = { readonly enforcementLevel?: EnforcementLevel } & Readonly<Record<string, unknown>>;

/** `urn:pulumi:<stack>::<project>::<type>::<name>` */
export function resourceUrn(type: string, name: string, stack = DEFAULT_STACK, project = DEFAULT_PROJECT): string {
  return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

const LEVELS: Record<EnforcementLevel, WireEnforcementLevel> = {
  advisory: WireEnforcementLevel.ADVISORY,
  mandatory: WireEnforcementLevel.MANDATORY,
  disabled: WireEnforcementLevel.DISABLED,
  remediate: WireEnforcementLevel.REMEDIATE,
};

export function wireEnforcementLevel(level: EnforcementLevel): WireEnforcementLevel {
  const wire = LEVELS[level];
  if (wire === undefined) throw new Error(`Unknown enforcement level '${level}'; use advisory, mandatory, remediate or disabled.`);
  return wire;
}

export function enforcementLevelName(level: WireEnforcementLevel): EnforcementLevel {
  return (Object.keys(LEVELS) as EnforcementLevel[]).find((name) => LEVELS[name] === level) ?? "advisory";
}

function severityName(severity: PolicySeverity): PolicySeverityName {
  switch (severity) {
    case PolicySeverity.POLICY_SEVERITY_LOW:
      return "low";
    case PolicySeverity.POLICY_SEVERITY_MEDIUM:
      return "medium";
    case PolicySeverity.POLICY_SEVERITY_HIGH:
      return "high";
    case PolicySeverity.POLICY_SEVERITY_CRITICAL:
      return "critical";
    default:
      return "unspecified";
  }
}

function providerMessage(provider: ProviderInput): AnalyzerProviderResource {
  const type = provider.type ?? "pulumi:providers:kubernetes";
  return new AnalyzerProviderResource()
    .setType(type)
    .setName(provider.name)
    .setUrn(provider.urn ?? resourceUrn(type, provider.name))
    .setProperties(toStruct(provider.properties));
}

/** Options as the engine sends them; the SDK requires them to be set. */
function optionsMessage(): AnalyzerResourceOptions {
  return new AnalyzerResourceOptions().setProtect(false);
}

export function analyzeRequest(resource: ResourceInput): AnalyzeRequest {
  return analyzeRequestWithoutProperties(resource).setProperties(toStruct(resource.properties));
}

/** `analyzeRequest(resource).serializeBinary()`, the properties written straight to bytes (`encodeStruct`). */
export function analyzeRequestBytes(resource: ResourceInput): Buffer {
  return withProperties(analyzeRequestWithoutProperties(resource).serializeBinary(), resource.properties);
}

function analyzeRequestWithoutProperties(resource: ResourceInput): AnalyzeRequest {
  const request = new AnalyzeRequest()
    .setType(resource.type)
    .setName(resource.name)
    .setUrn(resource.urn ?? resourceUrn(resource.type, resource.name))
    .setOptions(optionsMessage());
  if (resource.provider) request.setProvider(providerMessage(resource.provider));
  return request;
}

export function analyzerResource(resource: ResourceInput): AnalyzerResource {
  return analyzerResourceWithoutProperties(resource).setProperties(toStruct(resource.properties));
}

/**
 * One resource of an `AnalyzeStack` request, encoded: `analyzerResource(resource).serializeBinary()`, the properties
 * written straight to bytes (`encodeStruct`). A caller that learns its resources one at a time encodes each as it
 * comes (`analyzeStackRequestBytes` joins them), instead of the whole stack at the end.
 */
export function encodeAnalyzerResource(resource: ResourceInput): Buffer {
  return withProperties(analyzerResourceWithoutProperties(resource).serializeBinary(), resource.properties);
}

function analyzerResourceWithoutProperties(resource: ResourceInput): AnalyzerResource {
  const message = new AnalyzerResource()
    .setType(resource.type)
    .setName(resource.name)
    .setUrn(resource.urn ?? resourceUrn(resource.type, resource.name))
    .setOptions(optionsMessage())
    .setDependenciesList([...(resource.dependencies ?? [])]);
  if (resource.parent) message.setParent(resource.parent);
  if (resource.provider) message.setProvider(providerMessage(resource.provider));
  return message;
}

/**
 * An encoded `AnalyzeRequest` or `AnalyzerResource` with its `properties` (field 2 of both) appended. A parser takes
 * a message's fields in any order, so this decodes to the message `setProperties` would have given.
 */
function withProperties(message: Uint8Array, properties: Readonly<Record<string, unknown>>): Buffer {
  return Buffer.concat([message, lengthDelimitedField(2, encodeStruct(properties))]);
}

/**
 * The `AnalyzeStackRequest` of resources encoded by `encodeAnalyzerResource`, in their order: the same bytes as
 * `new AnalyzeStackRequest().setResourcesList(…).serializeBinary()`. The request has one field, `repeated
 * AnalyzerResource resources = 1` (pulumi/proto/analyzer.proto), and a repeated message is each element as a
 * length-delimited field 1: the tag byte 0x0a, the length as a varint, the bytes.
 */
export function analyzeStackRequestBytes(resources: readonly Uint8Array[]): Buffer {
  return Buffer.concat(resources.map((resource) => lengthDelimitedField(1, resource)));
}

export function policyConfigMessage(level: EnforcementLevel, properties: Readonly<Record<string, unknown>>): PolicyConfig {
  return new PolicyConfig().setEnforcementlevel(wireEnforcementLevel(level)).setProperties(toStruct(properties));
}

export function analyzeResult(diagnostics: readonly AnalyzeDiagnostic[], notApplicable: readonly PolicyNotApplicable[]): AnalyzeResult {
  return {
    diagnostics: diagnostics.map((d) => ({
      policyName: d.getPolicyname(),
      policyPackName: d.getPolicypackname(),
      policyPackVersion: d.getPolicypackversion(),
      description: d.getDescription(),
      message: d.getMessage(),
      enforcementLevel: enforcementLevelName(d.getEnforcementlevel()),
      severity: severityName(d.getSeverity()),
      urn: d.getUrn(),
    })),
    notApplicable: notApplicable.map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
  };
}

export function remediateResult(response: RemediateResponse): RemediateResult {
  return {
    remediations: response.getRemediationsList().map((r) => ({
      policyName: r.getPolicyname(),
      description: r.getDescription(),
      ...(r.hasProperties() ? { properties: fromStruct(r.getProperties()) } : {}),
      diagnostic: r.getDiagnostic(),
    })),
    notApplicable: response.getNotApplicableList().map((n) => ({ policyName: n.getPolicyName(), reason: n.getReason() })),
  };
}

export function packInfo(info: AnalyzerInfo): PackInfo {
  const initialConfig: Record<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }> = {};
  info.getInitialconfigMap().forEach((config: PolicyConfig, name: string) => {
    initialConfig[name] = { enforcementLevel: enforcementLevelName(config.getEnforcementlevel()), properties: fromStruct(config.getProperties()) };
  });
  return {
    name: info.getName(),
    version: info.getVersion(),
    supportsConfig: info.getSupportsconfig(),
    policies: info.getPoliciesList().map(policyDescription),
    initialConfig,
  };
}

function policyDescription(policy: PolicyInfo): PolicyDescription {
  const schema = policy.getConfigschema();
  const type = policy.getPolicyType();
  return {
    name: policy.getName(),
    displayName: policy.getDisplayname(),
    description: policy.getDescription(),
    enforcementLevel: enforcementLevelName(policy.getEnforcementlevel()),
    severity: severityName(policy.getSeverity()),
    remediationSteps: policy.getRemediationSteps(),
    url: policy.getUrl(),
    type: type === 1 ? "resource" : type === 2 ? "stack" : "unknown",
    ...(schema ? { configSchema: { properties: fromStruct(schema.getProperties()), required: schema.getRequiredList() } } : {}),
  };
}
