import { cicd, providers } from "@ccb/infra";
import type { StageConfig } from "../config/stage-config";
import type { StageProviders } from "./context";

/** Tags every resource of the stage carries (also set as the providers' default tags). */
export function stageTags(config: StageConfig): Readonly<Record<string, string>> {
  return { ...config.tags, stage: config.name, "managed-by": "pulumi" };
}

/** One explicit provider per account of the stage, so one `pulumi up` deploys into several accounts. */
export function composeProviders(config: StageConfig, tags: Readonly<Record<string, string>>): StageProviders {
  // Pull-request previews run with the read-only preview role (CCB_DEPLOY_ROLE_KIND=preview), deploys with the deploy role.
  const roleKind = cicd.ciRoleKind(process.env);
  const deployRole = (arn: string) => (roleKind === "preview" ? cicd.previewRoleArnFor(arn, config.namePrefix) : arn);
  const providerFor = (name: string, account: { id: string; deployRoleArn?: string }, region = config.region) =>
    providers.accountProvider(name, {
      accountId: account.id,
      region,
      ...(account.deployRoleArn ? { deployRoleArn: deployRole(account.deployRoleArn) } : {}),
      sessionName: `pulumi-${config.namePrefix}`,
      defaultTags: tags,
    });
  const inference = providerFor(`${config.namePrefix}-inference`, config.accounts.inference);
  const telemetry = config.decisions.telemetryUsesInferenceProvider
    ? inference
    : providerFor(`${config.namePrefix}-telemetry`, config.accounts.telemetry);
  const workloads = new Map(config.accounts.workloads.map((w) => [w.name, providerFor(`${config.namePrefix}-workload-${w.name}`, w)]));
  const billingApi = config.decisions.billingApi;
  const inferenceBillingApi =
    billingApi === "none"
      ? undefined
      : billingApi === "inference"
        ? inference
        : providerFor(`${config.namePrefix}-inference-us-east-1`, config.accounts.inference, "us-east-1");
  // The permission set lives in the IdC instance's account and Region; its assignment targets the inference account.
  const idc = config.federation.mode === "identity-center" ? config.federation.identityCenter : undefined;
  const identityCenter = idc ? providerFor(`${config.namePrefix}-identity-center`, idc.adminAccount, idc.ssoRegion) : undefined;
  return {
    inference,
    telemetry,
    ...(inferenceBillingApi ? { inferenceBillingApi } : {}),
    ...(identityCenter ? { identityCenter } : {}),
    workload(name) {
      const p = workloads.get(name);
      // The config checks every workload name it refers to; an unknown name here is a programming error.
      if (!p) throw new Error(`no workload account named "${name}" in stage ${config.name}`);
      return p;
    },
  };
}
