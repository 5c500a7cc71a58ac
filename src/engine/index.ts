export * from "./policyPack";
export { startEngineStub, type EngineStub, type EngineLogEntry } from "./engineStub";
export * from "./componentProvider";
