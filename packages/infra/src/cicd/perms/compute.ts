/** Deploy actions of the compute group: quota tables, functions, schedules, HTTP APIs, the collector service and its scaling. */
import { svc } from "./common";

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
