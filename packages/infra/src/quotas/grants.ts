import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, type AwsEnvironment, grant, type Grant, type Grantee } from "../iam";
import { INVOKE_API_ACTIONS, KMS_USE_ACTIONS, LIMITS_WRITE_ACTIONS, USAGE_READ_ACTIONS, USAGE_WRITE_ACTIONS } from "./perms";
import { checkRouteArn } from "./check-api";

export interface QuotaGrants {
  /** Read usage records (dashboards, support). */
  readUsage(grantee: Grantee): Grant;
  /** The admin CLI: set limits, read usage, write unblocks. */
  administer(grantee: Grantee): Grant;
  /** Call the check API when it is IAM-authorised. */
  invokeCheck(grantee: Grantee): Grant;
}

export interface GrantInputs {
  readonly env: AwsEnvironment;
  readonly kmsKeyArn: pulumi.Input<string>;
  readonly limitsTable: aws.dynamodb.Table;
  readonly usageTable: aws.dynamodb.Table;
  readonly api: aws.apigatewayv2.Api;
}

/** Intent-named grants; each creates its policy as a child of the component when called. */
export function quotaGrants(parent: pulumi.Resource, name: string, i: GrantInputs): QuotaGrants {
  const usageArns = [i.usageTable.arn];
  const keyUse = allow(KMS_USE_ACTIONS, [i.kmsKeyArn], {
    sid: "UseStageKey",
    conditions: { StringEquals: { "kms:ViaService": [pulumi.interpolate`dynamodb.${i.env.region}.amazonaws.com`] } },
  });
  return {
    readUsage: (g) => grant(parent, name, "read-usage", g, [allow(USAGE_READ_ACTIONS, usageArns, { sid: "ReadUsage" }), keyUse]),
    administer: (g) =>
      grant(parent, name, "administer", g, [
        allow(LIMITS_WRITE_ACTIONS, [i.limitsTable.arn], { sid: "ManageLimits" }),
        allow(USAGE_WRITE_ACTIONS, usageArns, { sid: "ReadUsageWriteUnblocks" }),
        keyUse,
      ]),
    invokeCheck: (g) =>
      grant(parent, name, "invoke-check", g, [allow(INVOKE_API_ACTIONS, [checkRouteArn(i.api)], { sid: "InvokeQuotaCheck" })]),
  };
}
