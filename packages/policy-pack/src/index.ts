/**
 * The entry the Pulumi CLI runs (`pulumi preview --policy-pack packages/policy-pack`, after
 * `npm run build -w packages/policy-pack`): constructing the PolicyPack starts the analyzer's gRPC
 * server on 127.0.0.1 and prints its port for the CLI. Nothing imports this module; tests import
 * `./policies`.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_NAME, policies } from "./policies";

new PolicyPack(POLICY_PACK_NAME, { policies, enforcementLevel: "mandatory" });
