import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument, renderPolicy, type Statement } from "./policy";

/** Who receives a grant: a role name and a short key that names the policy. */
export interface Grantee {
  readonly roleName: pulumi.Input<string>;
  /** Stable, short, unique among the grantees of one component (part of the logical name). */
  readonly key: string;
}

/** What a grant verb returns: the policy (for `dependsOn`) and the statements (for tests). */
export interface Grant {
  readonly policy: aws.iam.RolePolicy;
  readonly statements: readonly Statement[];
}

/** Attaches statements to a role as one inline policy named `${owner}-${verb}-${key}`, parented to the owner. */
export function grant(owner: pulumi.Resource, ownerName: string, verb: string, grantee: Grantee, statements: Statement[]): Grant {
  if (!/^[a-z0-9-]+$/.test(grantee.key)) throw new Error(`grantee key "${grantee.key}" must be lower-case letters, digits and dashes`);
  const policy = new aws.iam.RolePolicy(
    `${ownerName}-${verb}-${grantee.key}`,
    { role: grantee.roleName, policy: renderPolicy(policyDocument(...statements)) },
    { parent: owner },
  );
  return { policy, statements };
}
