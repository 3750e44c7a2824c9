/**
 * IAM actions of the cicd module: what the GitHub deploy role may do, service by service.
 *
 * A Pulumi deploy creates, reads (on refresh), updates and deletes every resource the program
 * manages, so the deploy role needs broad *create* rights. What it does not get: `*` or
 * `service:*`, data-plane reads (no `s3:GetObject` on log buckets, no `dynamodb:GetItem`, no
 * `logs:GetLogEvents`, no `bedrock:InvokeModel`), IAM users or access keys, Organizations or
 * account settings. Each list is what the AWS provider calls for the resource types this program
 * declares (create, read on refresh, update, tag, delete). A module that adds a resource type adds
 * its actions here; the stack test `stacks/cicd.test.ts` fails when a recorded resource's service
 * has no group.
 */

/** A group of actions granted together as one managed policy (each stays under IAM's 6,144 characters). */
export interface PermissionGroup {
  /** Lower-case key, part of the policy name. */
  readonly key: string;
  /** Why the deploy role needs it. */
  readonly purpose: string;
  /** IAM service prefixes the group covers (for the coverage check). */
  readonly services: readonly string[];
  readonly actions: readonly string[];
}

const svc = (service: string, names: readonly string[]) => names.map((n) => `${service}:${n}`);

/**
 * IAM, split by what the statement may touch: writes to roles and policies only for names with the
 * stage's prefix (every role and policy the program declares has it: Pulumi autonames from the
 * logical name, which starts with `<namePrefix>-`; a stack test keeps it so); existing roles the
 * program puts an inline policy on (cross-account source roles) get only `MANAGED_ROLE_INLINE_POLICY_ACTIONS`. Attaching managed policies is limited
 * to the stage's own and AWS service-role policies: never AdministratorAccess.
 */
export const IAM_ROLE_WRITE_ACTIONS = svc("iam", [
  "AttachRolePolicy",
  "CreateRole",
  "DeleteRole",
  "DeleteRolePolicy",
  "DetachRolePolicy",
  "PutRolePolicy",
  "TagRole",
  "UntagRole",
  "UpdateAssumeRolePolicy",
  "UpdateRole",
  "UpdateRoleDescription",
  // Every role the program creates carries one of the stage's permissions boundaries (workload-boundary.ts).
  "PutRolePermissionsBoundary",
]);
/**
 * The role writes that can give a role more than it had: CI may make them only on a role that carries
 * one of the stage's permissions boundaries (`iam:PermissionsBoundary`, delegated administration as AWS
 * documents it). The service authorization reference lists the key for each of them: for
 * `PutRolePermissionsBoundary` it is the boundary being set, for the others the role's current one, so
 * a role without a boundary (or with another) can neither be created nor changed. The other role writes
 * cannot grant: `DeleteRole`, `UpdateRole` and `UpdateRoleDescription` (the key exists but deleting or
 * re-describing grants nothing, and roles made before boundaries existed must stay deletable) and
 * `TagRole`/`UntagRole` (no such key) stay limited by resource to the stage's `<prefix>-*` roles.
 */
export const BOUNDED_ROLE_WRITE_ACTIONS = svc("iam", [
  "AttachRolePolicy",
  "CreateRole",
  "DeleteRolePolicy",
  "DetachRolePolicy",
  "PutRolePermissionsBoundary",
  "PutRolePolicy",
  "UpdateAssumeRolePolicy",
]);
/** The inline-policy writes among them (the only ones CI makes on the named existing roles of `managedRoleNames`). */
export const BOUNDED_INLINE_POLICY_ACTIONS = svc("iam", ["DeleteRolePolicy", "PutRolePolicy"]);
/** Role writes that cannot grant, denied on roles outside the stage (a boundary's `*` would otherwise reach them). */
export const UNBOUNDED_ROLE_WRITE_ACTIONS = svc("iam", ["DeleteRole", "TagRole", "UntagRole", "UpdateRole", "UpdateRoleDescription"]);
/** Writes to a managed policy (and creating one under its name): never by CI on a CI policy or a boundary. */
export const POLICY_CHANGE_ACTIONS = svc("iam", [
  "CreatePolicy",
  "CreatePolicyVersion",
  "DeletePolicy",
  "DeletePolicyVersion",
  "SetDefaultPolicyVersion",
  "TagPolicy",
  "UntagPolicy",
]);
/** Changing what an existing managed policy grants: only the stage's own policies. */
export const POLICY_VERSION_ACTIONS = svc("iam", ["CreatePolicyVersion", "DeletePolicy", "DeletePolicyVersion", "SetDefaultPolicyVersion"]);
/**
 * Existing roles (`managedRoleNames`, e.g. cross-account source roles) the program only puts an inline
 * policy on: that policy's put, delete and read. No trust, attachment, update or delete of the role.
 */
export const MANAGED_ROLE_INLINE_POLICY_ACTIONS = svc("iam", ["DeleteRolePolicy", "GetRolePolicy", "PutRolePolicy"]);
export const IAM_POLICY_WRITE_ACTIONS = svc("iam", [
  "CreatePolicy",
  "CreatePolicyVersion",
  "DeletePolicy",
  "DeletePolicyVersion",
  "TagPolicy",
  "UntagPolicy",
]);
export const IAM_OIDC_WRITE_ACTIONS = svc("iam", [
  "AddClientIDToOpenIDConnectProvider",
  "CreateOpenIDConnectProvider",
  "DeleteOpenIDConnectProvider",
  "RemoveClientIDFromOpenIDConnectProvider",
  "TagOpenIDConnectProvider",
  "UntagOpenIDConnectProvider",
  "UpdateOpenIDConnectProviderThumbprint",
]);
export const IAM_READ_ACTIONS = svc("iam", [
  "GetOpenIDConnectProvider",
  "GetPolicy",
  "GetPolicyVersion",
  "GetRole",
  "GetRolePolicy",
  "ListAttachedRolePolicies",
  "ListInstanceProfilesForRole",
  "ListOpenIDConnectProviderTags",
  "ListOpenIDConnectProviders",
  "ListPolicyTags",
  "ListPolicyVersions",
  "ListRolePolicies",
  "ListRoleTags",
]);
export const IAM_DEPLOY_ACTIONS = [...IAM_ROLE_WRITE_ACTIONS, ...IAM_POLICY_WRITE_ACTIONS, ...IAM_OIDC_WRITE_ACTIONS, ...IAM_READ_ACTIONS];

/** Passing roles to the services that run the program's code; restricted by `iam:PassedToService`. */
export const PASS_ROLE_ACTIONS = ["iam:PassRole"] as const;
/** Services the deploy role may pass roles to. */
export const PASS_ROLE_SERVICES = [
  "bedrock.amazonaws.com",
  "ecs-tasks.amazonaws.com",
  "firehose.amazonaws.com",
  "lambda.amazonaws.com",
  "scheduler.amazonaws.com",
  "events.amazonaws.com",
  "cognito-identity.amazonaws.com",
  "glue.amazonaws.com",
  "apigateway.amazonaws.com",
  "vpc-flow-logs.amazonaws.com",
] as const;
/** Service-linked roles AWS creates on first use of these services. */
export const SERVICE_LINKED_ROLE_ACTIONS = ["iam:CreateServiceLinkedRole"] as const;
export const SERVICE_LINKED_ROLE_SERVICES = [
  "ecs.amazonaws.com",
  "ecs.application-autoscaling.amazonaws.com",
  "elasticloadbalancing.amazonaws.com",
] as const;

export const KMS_DEPLOY_ACTIONS = svc("kms", [
  "CreateAlias",
  "CreateKey",
  "DeleteAlias",
  "DescribeKey",
  "EnableKeyRotation",
  "GetKeyPolicy",
  "GetKeyRotationStatus",
  "ListAliases",
  "ListResourceTags",
  "PutKeyPolicy",
  "ScheduleKeyDeletion",
  "TagResource",
  "UntagResource",
  "UpdateAlias",
  "UpdateKeyDescription",
]);
/**
 * Key use on the caller's behalf when a service creates an encrypted resource (a DynamoDB table, a
 * Lambda function's environment, a log group): only through those services (`kms:ViaService`), and
 * grants only for AWS resources. The deploy role cannot decrypt data itself.
 */
export const KMS_VIA_SERVICE_ACTIONS = svc("kms", ["Decrypt", "GenerateDataKey"]);
export const KMS_GRANT_ACTIONS = svc("kms", ["CreateGrant"]);
export const KMS_VIA_SERVICES = ["dynamodb", "firehose", "lambda", "logs", "s3", "sns"] as const;

/** Bucket configuration only: no object reads or writes (logs and analytics data stay private). */
export const S3_DEPLOY_ACTIONS = svc("s3", [
  "CreateBucket",
  "DeleteBucket",
  "DeleteBucketPolicy",
  "GetAccelerateConfiguration",
  "GetBucketAcl",
  "GetBucketCORS",
  "GetBucketLocation",
  "GetBucketLogging",
  "GetBucketNotification",
  "GetBucketObjectLockConfiguration",
  "GetBucketOwnershipControls",
  "GetBucketPolicy",
  "GetBucketPublicAccessBlock",
  "GetBucketRequestPayment",
  "GetBucketTagging",
  "GetBucketVersioning",
  "GetBucketWebsite",
  "GetEncryptionConfiguration",
  "GetLifecycleConfiguration",
  "GetReplicationConfiguration",
  "ListBucket",
  "PutBucketNotification",
  "PutBucketOwnershipControls",
  "PutBucketPolicy",
  "PutBucketPublicAccessBlock",
  "PutBucketTagging",
  "PutBucketVersioning",
  "PutEncryptionConfiguration",
  "PutLifecycleConfiguration",
]);

/**
 * Log groups, their filters and subscriptions; no log reads. The vended-log delivery actions and the
 * resource-policy put/describe are what API Gateway's access logging (an HTTP API stage's
 * `accessLogSettings`) calls on the deployer's behalf.
 */
export const LOGS_DEPLOY_ACTIONS = svc("logs", [
  "AssociateKmsKey",
  "CreateLogDelivery",
  "CreateLogGroup",
  "CreateLogStream",
  "DeleteLogDelivery",
  "DeleteLogGroup",
  "DeleteLogStream",
  "DeleteMetricFilter",
  "DeleteRetentionPolicy",
  "DeleteSubscriptionFilter",
  "DescribeLogGroups",
  "DescribeLogStreams",
  "DescribeMetricFilters",
  "DescribeResourcePolicies",
  "DescribeSubscriptionFilters",
  "DisassociateKmsKey",
  "GetLogDelivery",
  "ListLogDeliveries",
  "ListTagsForResource",
  "ListTagsLogGroup",
  "PutMetricFilter",
  "PutResourcePolicy",
  "PutRetentionPolicy",
  "PutSubscriptionFilter",
  "TagResource",
  "UntagResource",
  "UpdateLogDelivery",
]);
/** What API Gateway access logging needs of the deployer (AWS: "Permissions for CloudWatch logging" of HTTP APIs). */
export const APIGATEWAY_ACCESS_LOG_ACTIONS = svc("logs", [
  "CreateLogDelivery",
  "DeleteLogDelivery",
  "DescribeResourcePolicies",
  "GetLogDelivery",
  "ListLogDeliveries",
  "PutResourcePolicy",
  "UpdateLogDelivery",
]);

export const CLOUDWATCH_DEPLOY_ACTIONS = svc("cloudwatch", [
  "DeleteAlarms",
  "DeleteDashboards",
  "DescribeAlarms",
  "GetDashboard",
  "ListDashboards",
  "ListTagsForResource",
  "PutDashboard",
  "PutMetricAlarm",
  "TagResource",
  "UntagResource",
]);

export const SNS_DEPLOY_ACTIONS = svc("sns", [
  "CreateTopic",
  "DeleteTopic",
  "GetSubscriptionAttributes",
  "GetTopicAttributes",
  "ListSubscriptionsByTopic",
  "ListTagsForResource",
  "SetSubscriptionAttributes",
  "SetTopicAttributes",
  "Subscribe",
  "TagResource",
  "Unsubscribe",
  "UntagResource",
]);

/** Profiles and logging configuration; no model invocation. */
export const BEDROCK_DEPLOY_ACTIONS = svc("bedrock", [
  "CreateInferenceProfile",
  "DeleteInferenceProfile",
  "DeleteModelInvocationLoggingConfiguration",
  "GetFoundationModel",
  "GetInferenceProfile",
  "GetModelInvocationLoggingConfiguration",
  "ListFoundationModels",
  "ListInferenceProfiles",
  "ListTagsForResource",
  "PutModelInvocationLoggingConfiguration",
  "TagResource",
  "UntagResource",
]);

/**
 * CloudWatch cross-account observability: the telemetry account's sink and the inference account's
 * link (so the dashboard shows Bedrock's metrics and alarms). Creating a link also needs
 * `cloudwatch:Link` for the metric data it shares.
 */
export const OAM_DEPLOY_ACTIONS = [
  ...svc("oam", [
    "CreateLink",
    "CreateSink",
    "DeleteLink",
    "DeleteSink",
    "GetLink",
    "GetSink",
    "GetSinkPolicy",
    "ListTagsForResource",
    "PutSinkPolicy",
    "TagResource",
    "UntagResource",
    "UpdateLink",
  ]),
  "cloudwatch:Link",
];

/** Tables and their settings; no item reads or writes. */
export const DYNAMODB_DEPLOY_ACTIONS = svc("dynamodb", [
  "CreateTable",
  "DeleteTable",
  "DescribeContinuousBackups",
  "DescribeTable",
  "DescribeTimeToLive",
  "ListTagsOfResource",
  "TagResource",
  "UntagResource",
  "UpdateContinuousBackups",
  "UpdateTable",
  "UpdateTimeToLive",
]);

/** Functions; no `lambda:InvokeFunction`. */
/** Functions, their concurrency and their async-invoke settings (the quota aggregation turns retries off). */
export const LAMBDA_DEPLOY_ACTIONS = svc("lambda", [
  "AddPermission",
  "CreateFunction",
  "DeleteFunction",
  "DeleteFunctionConcurrency",
  "DeleteFunctionEventInvokeConfig",
  "GetFunction",
  "GetFunctionCodeSigningConfig",
  "GetFunctionConfiguration",
  "GetFunctionEventInvokeConfig",
  "GetPolicy",
  "GetRuntimeManagementConfig",
  "ListTags",
  "ListVersionsByFunction",
  "PublishVersion",
  "PutFunctionConcurrency",
  "PutFunctionEventInvokeConfig",
  "RemovePermission",
  "TagResource",
  "UntagResource",
  "UpdateFunctionCode",
  "UpdateFunctionConfiguration",
  "UpdateFunctionEventInvokeConfig",
]);

export const SCHEDULING_DEPLOY_ACTIONS = [
  ...svc("scheduler", [
    "CreateSchedule",
    "DeleteSchedule",
    "GetSchedule",
    "ListTagsForResource",
    "TagResource",
    "UntagResource",
    "UpdateSchedule",
  ]),
  ...svc("events", [
    "DeleteRule",
    "DescribeRule",
    "ListTagsForResource",
    "ListTargetsByRule",
    "PutRule",
    "PutTargets",
    "RemoveTargets",
    "TagResource",
    "UntagResource",
  ]),
];

/** API Gateway authorises by HTTP verb on the API's path; the statement scopes these to `/apis` and `/tags`. */
export const APIGATEWAY_DEPLOY_ACTIONS = svc("apigateway", ["DELETE", "GET", "PATCH", "POST", "PUT"]);

export const ECS_DEPLOY_ACTIONS = svc("ecs", [
  "CreateCluster",
  "CreateService",
  "DeleteCluster",
  "DeleteService",
  "DeregisterTaskDefinition",
  "DescribeClusters",
  "DescribeServices",
  "DescribeTaskDefinition",
  "ListTagsForResource",
  "PutClusterCapacityProviders",
  "RegisterTaskDefinition",
  "TagResource",
  "UntagResource",
  "UpdateClusterSettings",
  "UpdateService",
]);

/** The collector's VPC: network, security groups, NAT and endpoints. */
export const EC2_DEPLOY_ACTIONS = svc("ec2", [
  "AllocateAddress",
  "AssociateRouteTable",
  "AttachInternetGateway",
  "AuthorizeSecurityGroupEgress",
  "AuthorizeSecurityGroupIngress",
  "CreateFlowLogs",
  "CreateInternetGateway",
  "CreateNatGateway",
  "CreateRoute",
  "CreateRouteTable",
  "CreateSecurityGroup",
  "CreateSubnet",
  "CreateTags",
  "CreateVpc",
  "CreateVpcEndpoint",
  "DeleteFlowLogs",
  "DeleteInternetGateway",
  "DeleteNatGateway",
  "DeleteRoute",
  "DeleteRouteTable",
  "DeleteSecurityGroup",
  "DeleteSubnet",
  "DeleteTags",
  "DeleteVpc",
  "DeleteVpcEndpoints",
  "DescribeAccountAttributes",
  "DescribeAddresses",
  "DescribeAvailabilityZones",
  "DescribeFlowLogs",
  "DescribeInternetGateways",
  "DescribeNatGateways",
  "DescribeNetworkInterfaces",
  "DescribePrefixLists",
  "DescribeRouteTables",
  "DescribeSecurityGroupRules",
  "DescribeSecurityGroups",
  "DescribeSubnets",
  "DescribeVpcAttribute",
  "DescribeVpcEndpoints",
  "DescribeVpcs",
  "DetachInternetGateway",
  "DisassociateRouteTable",
  "ModifySecurityGroupRules",
  "ModifySubnetAttribute",
  "ModifyVpcAttribute",
  "ModifyVpcEndpoint",
  "ReleaseAddress",
  "RevokeSecurityGroupEgress",
  "RevokeSecurityGroupIngress",
]);

export const ELB_DEPLOY_ACTIONS = svc("elasticloadbalancing", [
  "AddTags",
  "CreateListener",
  "CreateLoadBalancer",
  "CreateRule",
  "CreateTargetGroup",
  "DeleteListener",
  "DeleteLoadBalancer",
  "DeleteRule",
  "DeleteTargetGroup",
  "DescribeListenerAttributes",
  "DescribeListeners",
  "DescribeLoadBalancerAttributes",
  "DescribeLoadBalancers",
  "DescribeRules",
  "DescribeTags",
  "DescribeTargetGroupAttributes",
  "DescribeTargetGroups",
  "ModifyListener",
  "ModifyLoadBalancerAttributes",
  "ModifyRule",
  "ModifyTargetGroup",
  "ModifyTargetGroupAttributes",
  "RemoveTags",
  "SetSecurityGroups",
  "SetSubnets",
]);

/** Scaling the collector service (ECS service auto scaling). */
export const AUTOSCALING_DEPLOY_ACTIONS = svc("application-autoscaling", [
  "DeleteScalingPolicy",
  "DeregisterScalableTarget",
  "DescribeScalableTargets",
  "DescribeScalingPolicies",
  "ListTagsForResource",
  "PutScalingPolicy",
  "RegisterScalableTarget",
  "TagResource",
  "UntagResource",
]);

/** DNS records for the collector's name and its certificate validation (in an existing hosted zone). */
export const ROUTE53_DEPLOY_ACTIONS = svc("route53", ["ChangeResourceRecordSets", "GetChange", "GetHostedZone", "ListResourceRecordSets"]);

export const ACM_DEPLOY_ACTIONS = svc("acm", [
  "AddTagsToCertificate",
  "DeleteCertificate",
  "DescribeCertificate",
  "ListTagsForCertificate",
  "RemoveTagsFromCertificate",
  "RequestCertificate",
]);

export const ANALYTICS_DEPLOY_ACTIONS = [
  ...svc("firehose", [
    "CreateDeliveryStream",
    "DeleteDeliveryStream",
    "DescribeDeliveryStream",
    "ListTagsForDeliveryStream",
    "StartDeliveryStreamEncryption",
    "TagDeliveryStream",
    "UntagDeliveryStream",
    "UpdateDestination",
  ]),
  ...svc("glue", [
    "CreateDatabase",
    "CreateTable",
    "DeleteDatabase",
    "DeleteTable",
    "GetDatabase",
    "GetTable",
    "GetTags",
    "TagResource",
    "UntagResource",
    "UpdateDatabase",
    "UpdateTable",
  ]),
  ...svc("athena", [
    "CreateNamedQuery",
    "CreateWorkGroup",
    "DeleteNamedQuery",
    "DeleteWorkGroup",
    "GetNamedQuery",
    "GetWorkGroup",
    "ListTagsForResource",
    "TagResource",
    "UntagResource",
    "UpdateWorkGroup",
  ]),
];

/** The billed-cost export (AWS Data Exports) and the cost allocation tags it groups by (Cost Explorer). */
export const BILLING_DEPLOY_ACTIONS = [
  ...svc("bcm-data-exports", [
    "CreateExport",
    "DeleteExport",
    "GetExport",
    "ListTagsForResource",
    "TagResource",
    "UntagResource",
    "UpdateExport",
  ]),
  ...svc("ce", ["ListCostAllocationTags", "UpdateCostAllocationTagsStatus"]),
];

export const CODEARTIFACT_DEPLOY_ACTIONS = svc("codeartifact", [
  "AssociateExternalConnection",
  "CreateDomain",
  "CreateRepository",
  "DeleteDomain",
  "DeleteDomainPermissionsPolicy",
  "DeleteRepository",
  "DeleteRepositoryPermissionsPolicy",
  "DescribeDomain",
  "DescribeRepository",
  "DisassociateExternalConnection",
  "GetDomainPermissionsPolicy",
  "GetRepositoryPermissionsPolicy",
  "ListTagsForResource",
  "PutDomainPermissionsPolicy",
  "PutRepositoryPermissionsPolicy",
  "TagResource",
  "UntagResource",
  "UpdateRepository",
]);

export const COGNITO_DEPLOY_ACTIONS = svc("cognito-identity", [
  "CreateIdentityPool",
  "DeleteIdentityPool",
  "DescribeIdentityPool",
  "GetIdentityPoolRoles",
  "ListTagsForResource",
  "SetIdentityPoolRoles",
  "TagResource",
  "UntagResource",
  "UpdateIdentityPool",
]);

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

/**
 * Pulumi self-managed backend (S3), project-scoped layout (`.pulumi/meta.yaml` version 1, the default
 * since Pulumi 3.61): one stack's objects. The checkpoint is `<stack>.json` or `<stack>.json.gz`, each
 * copied to `.bak` before it is overwritten; locks are keyed by the fully qualified name
 * `organization/<project>/<stack>` (the DIY backend's fixed organisation). Prefixes end in `/` so that
 * stack `pilot` never matches `pilot2`.
 */
export function stateObjectPaths(
  project: string,
  stack: string,
): { checkpoints: string[]; history: string; backups: string; locks: string } {
  const checkpoint = `.pulumi/stacks/${project}/${stack}.json`;
  return {
    checkpoints: [checkpoint, `${checkpoint}.bak`, `${checkpoint}.gz`, `${checkpoint}.gz.bak`],
    history: `.pulumi/history/${project}/${stack}/*`,
    backups: `.pulumi/backups/${project}/${stack}/*`,
    locks: `.pulumi/locks/organization/${project}/${stack}/*`,
  };
}
/** The backend's layout marker, read on login. */
export const STATE_META_KEY = ".pulumi/meta.yaml";
/** Pulumi self-managed backend (S3): the state objects. */
export const STATE_BUCKET_LIST_ACTIONS = ["s3:GetBucketLocation", "s3:ListBucket"] as const;
export const STATE_OBJECT_READ_ACTIONS = ["s3:GetObject"] as const;
export const STATE_OBJECT_WRITE_ACTIONS = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"] as const;
/** A preview takes and releases the stack lock like any operation of the self-managed backend. */
export const STATE_LOCK_ACTIONS = ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"] as const;
/** The preview role's key use, only through S3 (`kms:ViaService`): read state objects, encrypt its lock object. */
export const PREVIEW_STATE_DECRYPT_ACTIONS = ["kms:Decrypt"] as const;
export const PREVIEW_LOCK_ENCRYPT_ACTIONS = ["kms:GenerateDataKey"] as const;
/** The one object the program writes itself: the analytics pricing table. */
export const PRICING_TABLE_WRITE_ACTIONS = [
  "s3:DeleteObject",
  "s3:GetObject",
  "s3:GetObjectTagging",
  "s3:PutObject",
  "s3:PutObjectTagging",
] as const;
/** The awskms secrets provider (and the state bucket's SSE-KMS): decrypt to read, data keys to write. */
export const SECRETS_DECRYPT_ACTIONS = ["kms:Decrypt", "kms:DescribeKey"] as const;
export const SECRETS_ENCRYPT_ACTIONS = ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey"] as const;

/** Role chaining into the deploy (or preview) role of the stage's other accounts. */
export const CHAIN_ACTIONS = ["sts:AssumeRole"] as const;

/** Publishing the helper to CodeArtifact (npm package and the executables' generic package). */
export const RELEASE_TOKEN_ACTIONS = ["codeartifact:GetAuthorizationToken"] as const;
export const RELEASE_BEARER_ACTIONS = ["sts:GetServiceBearerToken"] as const;
export const RELEASE_REPOSITORY_ACTIONS = ["codeartifact:GetRepositoryEndpoint", "codeartifact:ReadFromRepository"] as const;
/**
 * The helper's packages only. `PutPackageOriginConfiguration` lets the publish pin the packages to
 * `publish=ALLOW, upstream=BLOCK`, so a same-named package on public npm is never served instead.
 */
export const RELEASE_PACKAGE_ACTIONS = [
  "codeartifact:DescribePackage",
  "codeartifact:DescribePackageVersion",
  "codeartifact:ListPackageVersions",
  "codeartifact:PublishPackageVersion",
  "codeartifact:PutPackageMetadata",
  "codeartifact:PutPackageOriginConfiguration",
] as const;

/**
 * Guardrails: explicit denies attached to every CI role. An explicit deny beats any allow, so they
 * hold even if someone later attaches a broader policy, and the roles cannot lift them themselves.
 */
/** Identities that outlive a CI run: never created by CI. */
export const DENIED_LONG_LIVED_IDENTITY_ACTIONS = svc("iam", [
  "AttachGroupPolicy",
  "AttachUserPolicy",
  "CreateAccessKey",
  "CreateGroup",
  "CreateLoginProfile",
  "CreateUser",
  "CreateVirtualMFADevice",
  "PutGroupPolicy",
  "PutUserPolicy",
  "UpdateAccessKey",
  "UpdateLoginProfile",
  "AddUserToGroup",
  "CreateServiceSpecificCredential",
  "UploadSSHPublicKey",
  "UploadSigningCertificate",
]);
/** Changing who may act as CI, or lifting its guardrails, needs an administrator (see docs/ci-cd.md). */
export const DENIED_CI_ROLE_CHANGE_ACTIONS = svc("iam", [
  "AttachRolePolicy",
  "CreateRole",
  "DeleteRole",
  "DeleteRolePermissionsBoundary",
  "DeleteRolePolicy",
  "DetachRolePolicy",
  "PutRolePermissionsBoundary",
  "PutRolePolicy",
  "TagRole",
  "UntagRole",
  "UpdateAssumeRolePolicy",
  "UpdateRole",
  "UpdateRoleDescription",
]);
export const DENIED_OIDC_PROVIDER_CHANGE_ACTIONS = svc("iam", [
  "AddClientIDToOpenIDConnectProvider",
  "DeleteOpenIDConnectProvider",
  "RemoveClientIDFromOpenIDConnectProvider",
  "TagOpenIDConnectProvider",
  "UntagOpenIDConnectProvider",
  "UpdateOpenIDConnectProviderThumbprint",
]);
/** A boundary, once set, stays: removing it would lift the ceiling. */
export const DENIED_BOUNDARY_REMOVAL_ACTIONS = svc("iam", ["DeleteRolePermissionsBoundary"]);
/** Audit and account-wide settings stay out of CI's reach. */
export const DENIED_AUDIT_ACTIONS = [
  ...svc("cloudtrail", ["DeleteTrail", "PutEventSelectors", "StopLogging", "UpdateTrail"]),
  ...svc("guardduty", ["DeleteDetector", "DisassociateFromMasterAccount", "UpdateDetector"]),
  ...svc("config", ["DeleteConfigurationRecorder", "DeleteDeliveryChannel", "StopConfigurationRecorder"]),
  "organizations:*",
  "account:*",
];
/** Global services exempt from the Region guard (their calls go to one Region whatever the stage; Data Exports and Cost Explorer answer in us-east-1 only). */
export const GLOBAL_SERVICE_ACTIONS = [
  "iam:*",
  "sts:*",
  "organizations:*",
  "account:*",
  "cloudfront:*",
  "route53:*",
  "support:*",
  "bcm-data-exports:*",
  "ce:*",
] as const;
