import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsEnvironment, boundaryTags, policyDocument, renderPolicy, type Statement } from "../iam";
import { guardrailStatements } from "./guardrail-denies";
import { type StageIamScope, workloadBoundaryName } from "./stage-iam-scope";

/**
 * Delegated administration, as AWS documents it for principals that create roles: CI may create and
 * change a role only if the role carries one of the stage's permissions boundaries, and nobody below
 * an administrator may change, remove or replace those boundaries. A role CI creates can therefore
 * never do more than the boundary allows, whatever policy CI gives it and whoever may assume it.
 *
 * The **workload boundary** (one managed policy per account of the stage) is that ceiling for every
 * role the program creates except the developers' (which keeps the tighter developer boundary): it
 * allows everything except what the CI guardrails deny. It is a cap, never a grant: it is tagged as a
 * boundary and the security rule `iam-boundary-is-a-cap` checks it carries these denies and is never
 * attached to a role as a permission policy.
 */

export { stageBoundaryArns, workloadBoundaryName } from "./stage-iam-scope";
export type { StageIamScope } from "./stage-iam-scope";
export { guardrailStatements } from "./guardrail-denies";

/** The Sid of the boundary's one Allow: everything, capped by the denies beside it. */
export const BOUNDARY_CAP_SID = "CapAtTheGuardrails";

/**
 * The workload boundary: allow everything, deny what the guardrails deny. As a boundary it grants
 * nothing; it only bounds what the role's own policies grant.
 */
export function workloadBoundaryStatements(scope: StageIamScope, partition: pulumi.Input<string>): Statement[] {
  return [{ Sid: BOUNDARY_CAP_SID, Effect: "Allow", Action: ["*"], Resource: ["*"] }, ...guardrailStatements(scope, partition)];
}

export interface WorkloadBoundaryArgs extends StageIamScope {
  readonly tags?: Record<string, string>;
}

/**
 * The workload permissions boundary of one account: a managed policy `<prefix>-workload-boundary`,
 * tagged as a boundary. Create it with the account's provider before the roles that carry it (pass
 * `arn` as their `permissionsBoundaryArn`), whether or not the stage uses CI.
 */
export class WorkloadBoundary extends pulumi.ComponentResource {
  readonly policy: aws.iam.Policy;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: WorkloadBoundaryArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:cicd:WorkloadBoundary", name, {}, opts);
    const problems = validateWorkloadBoundaryArgs(args);
    if (problems.length) throw new Error(`WorkloadBoundary ${name}: ${problems.join("; ")}`);
    const env = awsEnvironment(this);
    this.policy = new aws.iam.Policy(
      `${name}-policy`,
      {
        name: workloadBoundaryName(args.namePrefix),
        description:
          "Permissions boundary of every role the stage creates: nothing the CI guardrails deny, whatever the role's own policies say",
        policy: renderPolicy(policyDocument(...workloadBoundaryStatements(args, env.partition))),
        tags: boundaryTags(args.tags),
      },
      { parent: this },
    );
    this.arn = this.policy.arn;
    this.registerOutputs({ arn: this.arn });
  }
}

export function validateWorkloadBoundaryArgs(a: WorkloadBoundaryArgs): string[] {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9-]{1,40}$/.test(a.namePrefix)) problems.push("`namePrefix` must be 2–41 lower-case letters, digits and dashes");
  if (!/^\d{12}$/.test(a.accountId)) problems.push(`\`accountId\` "${a.accountId}" must be 12 digits`);
  if (a.allowedRegions.length === 0) problems.push("`allowedRegions` needs the stage's Region");
  for (const n of a.managedRoleNames ?? [])
    if (!/^[\w+=,.@-]{1,64}$/.test(n)) problems.push(`\`managedRoleNames\`: "${n}" is not an IAM role name (no wildcards)`);
  return problems;
}
