/** The deploy role's permission groups (one managed policy each) and the preview role's reads derived from them. */
import type { PermissionGroup } from "./common";
import {
  APIGATEWAY_DEPLOY_ACTIONS,
  AUTOSCALING_DEPLOY_ACTIONS,
  DYNAMODB_DEPLOY_ACTIONS,
  ECS_DEPLOY_ACTIONS,
  LAMBDA_DEPLOY_ACTIONS,
  SCHEDULING_DEPLOY_ACTIONS,
} from "./compute";
import { ANALYTICS_DEPLOY_ACTIONS, BILLING_DEPLOY_ACTIONS, CODEARTIFACT_DEPLOY_ACTIONS } from "./data";
import { COGNITO_DEPLOY_ACTIONS, IAM_DEPLOY_ACTIONS, KMS_DEPLOY_ACTIONS, KMS_GRANT_ACTIONS, KMS_VIA_SERVICE_ACTIONS } from "./identity";
import { ACM_DEPLOY_ACTIONS, EC2_DEPLOY_ACTIONS, ELB_DEPLOY_ACTIONS, ROUTE53_DEPLOY_ACTIONS } from "./network";
import {
  BEDROCK_DEPLOY_ACTIONS,
  CLOUDWATCH_DEPLOY_ACTIONS,
  LOGS_DEPLOY_ACTIONS,
  OAM_DEPLOY_ACTIONS,
  S3_DEPLOY_ACTIONS,
  SNS_DEPLOY_ACTIONS,
} from "./observability";

/**
 * The deploy role's permission groups. IAM, PassRole and service-linked roles are separate
 * statements (they carry conditions); the rest are plain service groups.
 */
export const DEPLOY_GROUPS: readonly PermissionGroup[] = [
  {
    key: "identity",
    purpose: "roles, policies, OIDC providers, keys",
    services: ["iam", "kms", "cognito-identity"],
    actions: [...IAM_DEPLOY_ACTIONS, ...KMS_DEPLOY_ACTIONS, ...KMS_VIA_SERVICE_ACTIONS, ...KMS_GRANT_ACTIONS, ...COGNITO_DEPLOY_ACTIONS],
  },
  {
    key: "observability",
    purpose: "buckets, logs, alarms, dashboards, topics, Bedrock profiles and logging",
    services: ["s3", "logs", "cloudwatch", "sns", "bedrock"],
    actions: [...S3_DEPLOY_ACTIONS, ...LOGS_DEPLOY_ACTIONS, ...CLOUDWATCH_DEPLOY_ACTIONS, ...SNS_DEPLOY_ACTIONS, ...BEDROCK_DEPLOY_ACTIONS],
  },
  {
    key: "monitoring",
    purpose: "cross-account CloudWatch sink and links for the dashboard",
    services: ["oam"],
    actions: [...OAM_DEPLOY_ACTIONS],
  },
  {
    key: "compute",
    purpose: "quota tables, functions, schedules, APIs, the collector service and its scaling",
    services: ["dynamodb", "lambda", "scheduler", "events", "apigateway", "ecs", "application-autoscaling"],
    actions: [
      ...DYNAMODB_DEPLOY_ACTIONS,
      ...LAMBDA_DEPLOY_ACTIONS,
      ...SCHEDULING_DEPLOY_ACTIONS,
      ...APIGATEWAY_DEPLOY_ACTIONS,
      ...ECS_DEPLOY_ACTIONS,
      ...AUTOSCALING_DEPLOY_ACTIONS,
    ],
  },
  {
    key: "network",
    purpose: "the collector's VPC, load balancer, certificate and DNS records",
    services: ["ec2", "elasticloadbalancing", "acm", "route53"],
    actions: [...EC2_DEPLOY_ACTIONS, ...ELB_DEPLOY_ACTIONS, ...ACM_DEPLOY_ACTIONS, ...ROUTE53_DEPLOY_ACTIONS],
  },
  {
    key: "data",
    purpose: "analytics pipeline, the billed-cost export and the internal package registry",
    services: ["firehose", "glue", "athena", "bcm-data-exports", "ce", "codeartifact"],
    actions: [...ANALYTICS_DEPLOY_ACTIONS, ...BILLING_DEPLOY_ACTIONS, ...CODEARTIFACT_DEPLOY_ACTIONS],
  },
];

/** Every service prefix the deploy role covers. */
export const DEPLOY_SERVICES: readonly string[] = [...new Set(DEPLOY_GROUPS.flatMap((g) => g.services))].sort();

/**
 * The preview role's reads: the describe/get/list subset of the deploy groups (what `pulumi preview`
 * and `pulumi preview --refresh` call), minus reads that return data rather than configuration.
 * Derived, so a new deploy action never silently widens or narrows the preview role.
 */
const READ_ACTION = /^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]*$/;
/**
 * Reads that return data or secrets rather than configuration. None is in a deploy group today; the
 * filter keeps it that way if one is added there (the deploy role may need it, the preview role not).
 */
export const DATA_PLANE_READS = [
  "s3:GetObject",
  "dynamodb:GetItem",
  "dynamodb:Query",
  "dynamodb:Scan",
  "dynamodb:BatchGetItem",
  "logs:GetLogEvents",
  "logs:FilterLogEvents",
  "secretsmanager:GetSecretValue",
  "ssm:GetParameter",
  "ssm:GetParameters",
  "kms:Decrypt",
  "athena:GetQueryResults",
  "firehose:GetRecords",
] as const;
/** The preview role's reads for the given deploy groups (default: all). */
export function previewReadActions(groups?: readonly string[]): string[] {
  const selected = DEPLOY_GROUPS.filter((g) => !groups || groups.includes(g.key));
  const reads = selected
    .flatMap((g) => g.actions)
    .filter((a) => READ_ACTION.test(a) && !(DATA_PLANE_READS as readonly string[]).includes(a));
  if (selected.some((g) => g.actions.includes("apigateway:GET"))) reads.push("apigateway:GET");
  return [...new Set(reads)].sort();
}
export const PREVIEW_READ_ACTIONS: readonly string[] = previewReadActions();
