import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { accountRootArn, allow, type AwsEnvironment, policyDocument, renderPolicy } from "../../iam";
import { childOpts, type BuilderScope } from "../../scope";
import { KMS_KEY_ADMIN_ACTIONS } from "../../storage/customer-key";
import { TOKEN_SIGN_ACTIONS } from "../perms";

/** Administration of the signing key without any cryptographic use (the root statement never allows Sign). */
export const SIGNING_KEY_ADMIN_ACTIONS = KMS_KEY_ADMIN_ACTIONS.filter((a) => !/^kms:(Encrypt|Decrypt|ReEncrypt|GenerateDataKey)/.test(a));

export interface SigningKeyInputs {
  readonly namePrefix: string;
  readonly env: AwsEnvironment;
  /** The only principal that may sign: the token function's role. */
  readonly signerRoleArn: pulumi.Input<string>;
}

/** The asymmetric ES256 key the tokens are signed with, and its alias. */
export function buildSigningKey(scope: BuilderScope, args: SigningKeyInputs): aws.kms.Key {
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const key = new aws.kms.Key(
    `${name}-signing-key`,
    {
      description: `Signs ${args.namePrefix} collector tokens for IAM callers (ES256)`,
      customerMasterKeySpec: "ECC_NIST_P256",
      keyUsage: "SIGN_VERIFY",
      // KMS cannot rotate asymmetric keys; rotate by replacing the key (a new kid; tokens live an hour).
      enableKeyRotation: false,
      deletionWindowInDays: 30,
      policy: renderPolicy(
        policyDocument(
          allow(SIGNING_KEY_ADMIN_ACTIONS, ["*"], {
            sid: "AccountAdministers",
            principal: { AWS: accountRootArn(args.env.partition, args.env.accountId) },
          }),
          allow(TOKEN_SIGN_ACTIONS, ["*"], { sid: "OnlyTheTokenFunctionSigns", principal: { AWS: args.signerRoleArn } }),
        ),
      ),
      tags,
    },
    parent,
  );
  new aws.kms.Alias(`${name}-signing-key-alias`, { name: `alias/${args.namePrefix}-telemetry-token`, targetKeyId: key.keyId }, parent);
  return key;
}
