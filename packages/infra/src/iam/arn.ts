import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/**
 * ARN helpers. The partition always comes from the provider (commercial, GovCloud and China differ),
 * never a hard-coded `arn:aws:`.
 */

/** Partition, account and Region of the provider a component deploys with. */
export interface AwsEnvironment {
  readonly partition: pulumi.Output<string>;
  readonly accountId: pulumi.Output<string>;
  readonly region: pulumi.Output<string>;
  readonly dnsSuffix: pulumi.Output<string>;
}

/** Looks up partition, account and Region through the parent's provider. */
export function awsEnvironment(parent: pulumi.Resource): AwsEnvironment {
  const opts = { parent };
  const partition = aws.getPartitionOutput({}, opts);
  const identity = aws.getCallerIdentityOutput({}, opts);
  const region = aws.getRegionOutput({}, opts);
  return {
    partition: partition.partition,
    dnsSuffix: partition.dnsSuffix,
    accountId: identity.accountId,
    region: region.region,
  };
}

type In = pulumi.Input<string>;

/** `arn:<partition>:<service>:<region>:<account>:<resource>` */
export function arn(partition: In, service: string, region: In, account: In, resource: In): pulumi.Output<string> {
  return pulumi.interpolate`arn:${partition}:${service}:${region}:${account}:${resource}`;
}

/** `arn:<partition>:iam::<account>:oidc-provider/<issuer host and path>` */
export function oidcProviderArn(partition: In, account: In, issuerHostPath: In): pulumi.Output<string> {
  return pulumi.interpolate`arn:${partition}:iam::${account}:oidc-provider/${issuerHostPath}`;
}

/** `arn:<partition>:iam::<account>:role/<name>` */
export function roleArn(partition: In, account: In, name: In): pulumi.Output<string> {
  return pulumi.interpolate`arn:${partition}:iam::${account}:role/${name}`;
}

/** `arn:<partition>:iam::<account>:root` */
export function accountRootArn(partition: In, account: In): pulumi.Output<string> {
  return pulumi.interpolate`arn:${partition}:iam::${account}:root`;
}

/** Foundation model ARN; account is empty for AWS-owned models. */
export function foundationModelArn(partition: In, region: In, modelId: In): pulumi.Output<string> {
  return pulumi.interpolate`arn:${partition}:bedrock:${region}::foundation-model/${modelId}`;
}

/** System-defined inference profile ARN (`us.`, `eu.`, `apac.`, `global.` prefixes). */
export function systemInferenceProfileArn(partition: In, region: In, account: In, profileId: In): pulumi.Output<string> {
  return pulumi.interpolate`arn:${partition}:bedrock:${region}:${account}:inference-profile/${profileId}`;
}

/** Parses the account id out of an ARN; `undefined` when the ARN has none. */
export function accountOfArn(value: string): string | undefined {
  const parts = value.split(":");
  return parts.length >= 6 && /^\d{12}$/.test(parts[4]!) ? parts[4] : undefined;
}
