import * as pulumi from "@pulumi/pulumi";
import { developerBoundaryName } from "../federation/developer-boundary";

/** The stage's IAM footprint in one account: what the guardrails and the workload boundary protect. */
export interface StageIamScope {
  /** Prefix of every role and policy the stage creates (`ccb-prod`). */
  readonly namePrefix: string;
  readonly accountId: string;
  /** Regions the stage acts in; everything else is denied (global services excepted). */
  readonly allowedRegions: readonly string[];
  /** Pulumi's self-managed backend: its bucket and secrets key are out of reach. */
  readonly stateBackend?: { readonly bucketName: string; readonly kmsKeyArn?: string };
  /**
   * Existing roles of this account (not the stage's) that the program only writes an inline policy to
   * (cross-account source roles). They carry no boundary of the stage, so their inline policy is the
   * one role write allowed without one.
   */
  readonly managedRoleNames?: readonly string[];
  /** The account holds the stage's developer boundary (the inference account): roles under it count as bounded. */
  readonly developerBoundary?: boolean;
}

/** Physical name of an account's workload boundary. */
export function workloadBoundaryName(namePrefix: string): string {
  return `${namePrefix}-workload-boundary`;
}

/** The boundaries a role must carry for CI to create or change it, in this account. */
export function stageBoundaryArns(partition: pulumi.Input<string>, scope: StageIamScope): pulumi.Output<string>[] {
  const policy = (name: string) => pulumi.interpolate`arn:${partition}:iam::${scope.accountId}:policy/${name}`;
  return [
    policy(workloadBoundaryName(scope.namePrefix)),
    ...(scope.developerBoundary ? [policy(developerBoundaryName(scope.namePrefix))] : []),
  ];
}

/**
 * Both boundary names, in every account: nothing below an administrator creates a policy under either
 * name (so no account gets a look-alike boundary) or changes one.
 */
export function protectedBoundaryArns(partition: pulumi.Input<string>, scope: StageIamScope): pulumi.Output<string>[] {
  const policy = (name: string) => pulumi.interpolate`arn:${partition}:iam::${scope.accountId}:policy/${name}`;
  return [policy(workloadBoundaryName(scope.namePrefix)), policy(developerBoundaryName(scope.namePrefix))];
}
