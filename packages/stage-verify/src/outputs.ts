/**
 * The stack outputs `verify` reads (`pulumi stack output --json`). Only what the checks need is parsed; a
 * missing key turns the checks that need it into a FAIL that names the key, so an older stack still gets
 * every check it can.
 */
export interface StageUnderTest {
  readonly stage: string;
  readonly region: string;
  readonly issuer: string;
  readonly clientId: string;
  /** The AWS profile the credential helper configures on a developer's machine (used by `--invoke`). */
  readonly awsProfile?: string;
  readonly federationMode: "direct" | "cognito-identity-pool";
  readonly identityPoolId?: string;
  /** Model ids by role as the helper sends them (system cross-Region profile ids or model ids). */
  readonly models: Readonly<Record<string, string>>;
  readonly userRoleArn?: string;
  readonly userRoleBoundaryArn?: string;
  readonly oidcProviderArn?: string;
  readonly alarmTopicArn?: string;
  readonly alarmNames: readonly string[];
  /** team → role (primary, fast, opus) → application inference profile ARN. */
  readonly teamInferenceProfiles: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly invocationLogGroup?: string;
  readonly invocationLogBucket?: string;
  readonly telemetryEndpoint?: string;
  readonly telemetryLoadBalancerDnsName?: string;
  readonly telemetryDashboard?: string;
  /** The telemetry alarms (telemetry account) and, when it is not the stage's alarm topic, the topic they notify. */
  readonly telemetryAlarmNames: readonly string[];
  readonly telemetryAlarmTopicArn?: string;
  readonly quotaCheckUrl?: string;
  readonly quotaTables: readonly string[];
  readonly quotaAlertTopicArn?: string;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
const names = (v: unknown): string[] => (Array.isArray(v) ? v.filter((n): n is string => typeof n === "string") : []);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** Parses `pulumi stack output --json`. Throws with the fix when the document is not a stage's outputs. */
export function parseStageOutputs(raw: unknown, source: string): StageUnderTest {
  const o = obj(raw);
  const hs = obj(o.helperSettings);
  const idp = obj(hs.identityProvider);
  const fed = obj(hs.federation);
  if (fed.mode === "identity-center")
    throw new Error(
      `${source}: an IAM Identity Center stage. \`verify\` checks the OIDC and Cognito federation (provider, user role trust) and does not check Identity Center stages yet; check the permission set and its assignments in the IAM Identity Center console, and the inference account with \`pulumi preview --diff\`.`,
    );
  const missing = [
    ["helperSettings.stage", hs.stage],
    ["helperSettings.region", hs.region],
    ["helperSettings.identityProvider.issuer", idp.issuer],
    ["helperSettings.identityProvider.clientId", idp.clientId],
  ]
    .filter(([, v]) => str(v) === undefined)
    .map(([k]) => k);
  if (missing.length) {
    throw new Error(
      `${source}: not the outputs of a deployed stage (missing ${missing.join(", ")}). Run \`pulumi stack output --json --show-secrets --stack <stage>\` in the project directory after \`pulumi up\`, or pass --stack.`,
    );
  }
  const profiles: Record<string, Record<string, string>> = {};
  for (const [team, roles] of Object.entries(obj(o.teamInferenceProfiles))) {
    profiles[team] = Object.fromEntries(Object.entries(obj(roles)).flatMap(([r, arn]) => (str(arn) ? [[r, arn as string]] : [])));
  }
  const models = Object.fromEntries(Object.entries(obj(hs.models)).flatMap(([r, id]) => (str(id) ? [[r, id as string]] : [])));
  const opt = <K extends string>(key: K, v: unknown) => (str(v) !== undefined ? { [key]: v as string } : {}) as Partial<Record<K, string>>;
  return {
    stage: hs.stage as string,
    region: hs.region as string,
    issuer: idp.issuer as string,
    clientId: idp.clientId as string,
    federationMode: fed.mode === "cognito-identity-pool" ? "cognito-identity-pool" : "direct",
    models,
    alarmNames: names(o.alarmNames),
    telemetryAlarmNames: names(o.telemetryAlarmNames),
    teamInferenceProfiles: profiles,
    quotaTables: [o.quotaLimitsTable, o.quotaUsageTable].filter((t): t is string => str(t) !== undefined),
    ...opt("awsProfile", hs.awsProfile),
    ...opt("identityPoolId", fed.identityPoolId),
    ...opt("userRoleArn", o.userRoleArn ?? fed.roleArn),
    ...opt("userRoleBoundaryArn", o.userRoleBoundaryArn),
    ...opt("oidcProviderArn", o.oidcProviderArn),
    ...opt("alarmTopicArn", o.alarmTopicArn),
    ...opt("invocationLogGroup", o.invocationLogGroup),
    ...opt("invocationLogBucket", o.invocationLogBucket),
    ...opt("telemetryEndpoint", o.telemetryEndpoint),
    ...opt("telemetryLoadBalancerDnsName", o.telemetryLoadBalancerDnsName),
    ...opt("telemetryDashboard", o.telemetryDashboard),
    ...opt("telemetryAlarmTopicArn", o.telemetryAlarmTopicArn),
    ...opt("quotaCheckUrl", o.quotaCheckUrl),
    ...opt("quotaAlertTopicArn", o.quotaAlertTopicArn),
  };
}
