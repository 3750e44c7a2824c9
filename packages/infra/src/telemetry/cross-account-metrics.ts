import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, policyDocument, renderPolicy } from "../iam";
import { physicalName } from "../naming";
import { ACCOUNT_ID, ORG_ID } from "../naming/patterns";

/** What a source account may share with the monitoring account. */
export type SharedResourceType = "AWS::CloudWatch::Metric" | "AWS::Logs::LogGroup";

export interface CrossAccountMetricsArgs {
  readonly namePrefix: string;
  /** Accounts whose CloudWatch data the dashboard account should see (the inference account), each with its provider. */
  readonly sources: readonly { readonly key: string; readonly accountId: string; readonly provider: pulumi.ProviderResource }[];
  /** Also require the linking principal to be in this organization. */
  readonly organizationId?: string;
  /** @default ["AWS::CloudWatch::Metric"] (Bedrock's metrics for the dashboard) */
  readonly resourceTypes?: readonly SharedResourceType[];
  readonly tags?: Readonly<Record<string, string>>;
}

export const OAM_LINK_ACTIONS = ["oam:CreateLink", "oam:UpdateLink"] as const;

export function validateCrossAccountMetricsArgs(a: CrossAccountMetricsArgs): string[] {
  const p: string[] = [];
  if (a.sources.length === 0) p.push("`sources` needs at least one account");
  a.sources.forEach((s, i) => {
    if (!ACCOUNT_ID.test(s.accountId)) p.push(`\`sources[${i}].accountId\` must be a 12-digit account id`);
    if (!/^[a-z0-9-]+$/.test(s.key)) p.push(`\`sources[${i}].key\` must be lower-case letters, digits, dashes`);
  });
  if (a.organizationId !== undefined && !ORG_ID.test(a.organizationId)) p.push("`organizationId` must be an AWS Organizations id (o-…)");
  return p;
}

/**
 * CloudWatch cross-account observability for the dashboard: an Observability Access Manager sink in the
 * account the component is deployed with (the telemetry account), a sink policy that lets only the named
 * source accounts link (and only the named resource types), and a link from each source account. With
 * it, the dashboard's `AWS/Bedrock` widgets (which name the inference account) show data.
 */
export class CrossAccountMetrics extends pulumi.ComponentResource {
  readonly sinkArn: pulumi.Output<string>;

  constructor(name: string, args: CrossAccountMetricsArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:telemetry:CrossAccountMetrics", name, {}, opts);
    const problems = validateCrossAccountMetricsArgs(args);
    if (problems.length) throw new Error(`CrossAccountMetrics ${name}: ${problems.join("; ")}`);
    const types = [...(args.resourceTypes ?? ["AWS::CloudWatch::Metric"])];
    const tags = { ...(args.tags ?? {}), component: "telemetry" };
    const sink = new aws.oam.Sink(`${name}-sink`, { name: physicalName("lambda", [args.namePrefix, "telemetry"]), tags }, { parent: this });
    const policy = new aws.oam.SinkPolicy(
      `${name}-sink-policy`,
      {
        sinkIdentifier: sink.arn,
        policy: renderPolicy(
          policyDocument(
            allow(OAM_LINK_ACTIONS, ["*"], {
              sid: "SourceAccountsLink",
              principal: { AWS: args.sources.map((s) => s.accountId) },
              conditions: {
                "ForAllValues:StringEquals": { "oam:ResourceTypes": types },
                ...(args.organizationId ? { StringEquals: { "aws:PrincipalOrgID": args.organizationId } } : {}),
              },
            }),
          ),
        ),
      },
      { parent: this },
    );
    for (const s of args.sources) {
      new aws.oam.Link(
        `${name}-link-${s.key}`,
        { sinkIdentifier: sink.arn, resourceTypes: types, labelTemplate: "$AccountName", tags },
        { parent: this, provider: s.provider, dependsOn: [policy] },
      );
    }
    this.sinkArn = sink.arn;
    this.registerOutputs({ sinkArn: this.sinkArn });
  }
}
