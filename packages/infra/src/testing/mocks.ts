import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { arr, at, obj, str, type Inputs } from "./inputs";
import type { RecordedResource } from "./recorder";

/**
 * The mock harness for component and stack tests (and the offline plan). It records every resource
 * with its resolved inputs and the account/Region of its provider, answers the AWS invokes the
 * library uses, and gives resources realistic ARNs so policies that reference them can be evaluated.
 */

export interface MockEnvironment {
  /** Account of the default provider. */
  readonly accountId: string;
  /** Region of the default provider. */
  readonly region: string;
  readonly partition?: string;
}

export class ResourceRecorder {
  readonly resources: RecordedResource[] = [];
  readonly providers = new Map<string, { account: string; region: string }>();

  clear(): void {
    this.resources.length = 0;
    this.providers.clear();
  }
  byType(type: string): RecordedResource[] {
    return this.resources.filter((r) => r.type === type);
  }
  one(type: string, name: string): RecordedResource {
    const found = this.resources.filter((r) => r.type === type && r.name === name);
    if (found.length !== 1) {
      const names = this.byType(type)
        .map((r) => r.name)
        .join(", ");
      throw new Error(`expected one ${type} named ${name}, found ${found.length} (have: ${names || "none"})`);
    }
    return found[0]!;
  }
  /** Sorted `type name` lines: the inventory a stack snapshot pins. */
  inventory(): string[] {
    return this.resources.map((r) => `${r.type} ${r.name}`).sort();
  }
}

const SERVICE_OF_TYPE: Record<string, string> = {
  "aws:iam": "iam",
  "aws:s3": "s3",
  "aws:sns": "sns",
  "aws:sqs": "sqs",
  "aws:kms": "kms",
  "aws:lambda": "lambda",
  "aws:dynamodb": "dynamodb",
  "aws:cloudwatch": "logs",
  "aws:bedrock": "bedrock",
  "aws:ecs": "ecs",
  "aws:lb": "elasticloadbalancing",
  "aws:glue": "glue",
  "aws:athena": "athena",
  "aws:kinesis": "firehose",
  "aws:apigatewayv2": "apigateway",
  "aws:codeartifact": "codeartifact",
  "aws:cognito": "cognito-identity",
  "aws:ec2": "ec2",
  "aws:acm": "acm",
  "aws:scheduler": "scheduler",
};

function mockArn(type: string, name: string, inputs: Inputs, env: { account: string; region: string; partition: string }): string {
  const [pkg, mod, kind] = type.split(/[:/]/).filter(Boolean) as [string, string, string, string];
  const p = env.partition;
  const physical = String(inputs.name ?? inputs.bucket ?? inputs.domain ?? inputs.repository ?? name);
  switch (type) {
    case "aws:iam/role:Role":
      return `arn:${p}:iam::${env.account}:role/${inputs.path ? String(inputs.path).replace(/^\/|\/$/g, "") + "/" : ""}${physical}`;
    case "aws:iam/policy:Policy":
      return `arn:${p}:iam::${env.account}:policy/${physical}`;
    case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
      return `arn:${p}:iam::${env.account}:oidc-provider/${String(inputs.url ?? "").replace(/^https:\/\//, "")}`;
    case "aws:s3/bucket:Bucket":
      return `arn:${p}:s3:::${physical}`;
    case "aws:bedrock/inferenceProfile:InferenceProfile":
      return `arn:${p}:bedrock:${env.region}:${env.account}:application-inference-profile/${hash12(name)}`;
    case "aws:cloudwatch/logGroup:LogGroup":
      return `arn:${p}:logs:${env.region}:${env.account}:log-group:${physical}`;
    case "aws:sns/topic:Topic":
      return `arn:${p}:sns:${env.region}:${env.account}:${physical}`;
    case "aws:dynamodb/table:Table":
      return `arn:${p}:dynamodb:${env.region}:${env.account}:table/${physical}`;
    case "aws:lambda/function:Function":
      return `arn:${p}:lambda:${env.region}:${env.account}:function:${physical}`;
    default: {
      const service = SERVICE_OF_TYPE[`${pkg}:${mod}`] ?? mod;
      return `arn:${p}:${service}:${env.region}:${env.account}:${(kind ?? "resource").toLowerCase()}/${physical}`;
    }
  }
}

/** Provider inputs may arrive JSON-encoded (the provider's own serialisation of nested config). */
const decoded = (v: unknown): unknown => (typeof v === "string" ? JSON.parse(v) : v);

function accountFromProviderInputs(inputs: Inputs): string | undefined {
  const roles = inputs.assumeRoles ?? (inputs.assumeRole ? [inputs.assumeRole] : []);
  const parsedRoles = arr(decoded(roles));
  const roleArn = at(parsedRoles[parsedRoles.length - 1], "roleArn");
  const fromRole = roleArn ? String(roleArn).split(":")[4] : undefined;
  if (fromRole) return fromRole;
  const allowed = arr(decoded(inputs.allowedAccountIds));
  return allowed.length === 1 ? str(allowed[0]) : undefined;
}

/** Extra state a test wants a type to return (e.g. outputs computed by AWS). */
export type StateOverride = (type: string, name: string, inputs: Inputs) => Record<string, unknown> | undefined;

export interface InstallMocksOptions extends MockEnvironment {
  readonly project?: string;
  readonly stack?: string;
  readonly preview?: boolean;
  readonly state?: StateOverride;
}

/**
 * Installs Pulumi mocks that record into the returned recorder. Call before importing the program
 * under test (import it dynamically afterwards).
 */
export async function installMocks(options: InstallMocksOptions): Promise<ResourceRecorder> {
  const recorder = new ResourceRecorder();
  const partition = options.partition ?? "aws";
  const envOf = (provider: string | undefined) => {
    // A provider reference is "<urn>::<id>"; the recorder keyed providers by their id.
    const id = provider?.split("::").pop();
    const p = id ? recorder.providers.get(id) : undefined;
    return { account: p?.account ?? options.accountId, region: p?.region ?? options.region, partition };
  };
  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        const inputs = obj(args.inputs);
        const id = mockId(args.type, args.name, inputs, envOf(args.provider));
        if (args.type === "pulumi:providers:aws") {
          recorder.providers.set(id, {
            account: accountFromProviderInputs(inputs) ?? options.accountId,
            region: str(inputs.region) ?? options.region,
          });
          recorder.resources.push({
            type: args.type,
            name: args.name,
            id,
            inputs,
            account: recorder.providers.get(id)!.account,
            region: str(inputs.region) ?? options.region,
          });
          return { id, state: inputs };
        }
        const env = envOf(args.provider);
        const region = typeof inputs.region === "string" ? inputs.region : env.region;
        const arn = mockArn(args.type, args.name, inputs, { ...env, region });
        const extra = options.state?.(args.type, args.name, inputs) ?? {};
        recorder.resources.push({ type: args.type, name: args.name, id, inputs, account: env.account, region });
        return { id, state: { ...inputs, arn, id, ...defaultState(args.type, args.name, inputs, env), ...extra } };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        const env = envOf(args.provider);
        switch (args.token) {
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return {
              accountId: env.account,
              arn: `arn:${partition}:iam::${env.account}:role/deployer`,
              userId: "AROAMOCK",
              id: env.account,
            };
          case "aws:index/getRegion:getRegion":
            return {
              name: env.region,
              region: env.region,
              id: env.region,
              description: env.region,
              endpoint: `${env.region}.amazonaws.com`,
            };
          case "aws:index/getPartition:getPartition":
            return { partition, dnsSuffix: "amazonaws.com", reversedDnsSuffix: "com.amazonaws", id: partition };
          case "aws:index/getAvailabilityZones:getAvailabilityZones":
            return { names: [`${env.region}a`, `${env.region}b`, `${env.region}c`], zoneIds: ["z1", "z2", "z3"], id: env.region };
          default:
            return args.inputs;
        }
      },
    },
    options.project ?? "claude-code-bedrock",
    options.stack ?? "test",
    options.preview ?? false,
  );
  return recorder;
}

/** Ids shaped like the real ones where other code parses them. */
function mockId(type: string, name: string, inputs: Inputs, env: { region: string }): string {
  if (type === "aws:cognito/identityPool:IdentityPool") return `${env.region}:00000000-0000-4000-8000-${hash12(name)}`;
  // For buckets, AWS uses the bucket name as the id; siblings reference the bucket by it.
  if (type === "aws:s3/bucket:Bucket") return str(inputs.bucket) ?? name;
  return `${name}-id`;
}

function hash12(value: string): string {
  return createHash("sha256").update(value).digest("hex").slice(0, 12);
}

/** Outputs AWS computes that components read back. */
function defaultState(type: string, name: string, inputs: Inputs, env: { account: string; region: string }): Record<string, unknown> {
  switch (type) {
    case "aws:s3/bucket:Bucket":
      return { bucket: inputs.bucket ?? name, bucketDomainName: `${str(inputs.bucket) ?? name}.s3.amazonaws.com` };
    case "aws:iam/role:Role":
      return { name: inputs.name ?? name, uniqueId: "AROAMOCK" };
    case "aws:lb/loadBalancer:LoadBalancer":
      return { dnsName: `${name}.${env.region}.elb.amazonaws.com`, zoneId: "Z35SXDOTRQ7X7K", arnSuffix: `app/${name}/abc` };
    case "aws:lb/targetGroup:TargetGroup":
      return { arnSuffix: `targetgroup/${name}/abc` };
    case "aws:apigatewayv2/api:Api":
      return {
        apiEndpoint: `https://${name}.execute-api.${env.region}.amazonaws.com`,
        executionArn: `arn:aws:execute-api:${env.region}:${env.account}:${name}`,
      };
    case "aws:codeartifact/repository:Repository":
      return { domainOwner: env.account };
    case "aws:ec2/vpc:Vpc":
      return { cidrBlock: inputs.cidrBlock ?? "10.0.0.0/16" };
    case "aws:acm/certificate:Certificate":
      return {
        domainValidationOptions: [
          {
            domainName: inputs.domainName,
            resourceRecordName: `_validation.${String(inputs.domainName)}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: "_token.acm-validations.aws.",
          },
        ],
      };
    default:
      return {};
  }
}

/** Resolves an Output in a test. */
export function unwrap<T>(output: pulumi.Output<T> | pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) =>
    pulumi.output(output).apply((v) => {
      resolve(v as T);
      return v;
    }),
  );
}

/** Waits until every resource registered so far has reached the mocks (the RPC queue drained). */
export async function settle(): Promise<void> {
  const runtime = pulumi.runtime as unknown as { waitForRPCs?: () => Promise<void> };
  if (typeof runtime.waitForRPCs !== "function") throw new Error("this @pulumi/pulumi version has no runtime.waitForRPCs");
  await runtime.waitForRPCs();
}
