// The pack's entry point: creating a PolicyPack starts its gRPC server, so nothing but that happens here.
import { PolicyPack } from "@pulumi/policy";
import { allPolicies } from "./allPolicies";

new PolicyPack("kubesphere-fleet", { policies: allPolicies() });
