import { decideStage, type StageDecisions } from "./decisions";
import { inference, naming } from "@ccb/infra";
import { ACCOUNT_ID, ConfigProblems, EMAIL, isObj, REGION, Reader, ROLE_ARN } from "./problems";
import { parseServiceQuotaAlarms, type ServiceQuotaAlarmsConfig } from "./service-quotas";
import { parseAnalyticsConfig, type AnalyticsConfig } from "./analytics";
import { parseDistributionConfig, type DistributionConfig } from "./distribution";
import { parseQuotaConfig, type QuotaConfig } from "./quotas";
import { parseTelemetryConfig, type TelemetryConfig } from "./telemetry";
import { parseCicdConfig, type CicdConfig } from "./cicd";
import { parseHelperConfig, type HelperConfig } from "./helper";
import { isAwsRegion, regionProblem } from "./regions";
import { crossAreaChecks } from "./cross-area-checks";
import { parseCrossAccountRoles } from "./cross-account";
import { checkKnownKeys } from "./schema";
import { parseIdentityProvider, type IdentityProviderConfig } from "./identity-provider";
import { parseIdentityCenterConfig, type IdentityCenterConfig } from "./identity-center";

const { NAME_PREFIX, ORG_ID, TEAM_NAME } = naming.patterns;

/**
 * The one typed configuration of a stage. Everything that differs between pilot and prod is here;
 * the composition in `stage.ts` reads nothing else. `parseStageConfig` validates it all before any
 * resource is declared and reports every problem with its key and fix.
 */

export interface AccountConfig {
  /** 12-digit account id; the provider refuses any other account (allowedAccountIds). */
  readonly id: string;
  /** Role Pulumi assumes to deploy there; omit to use the caller's own credentials. */
  readonly deployRoleArn?: string;
}

export interface WorkloadAccountConfig extends AccountConfig {
  readonly name: string;
}

export interface TeamConfig {
  /** Lower-case name, used in tags, profile names and group mappings. */
  readonly name: string;
  readonly costCenter: string;
  /** Extra cost-allocation tags on the team's inference profiles. */
  readonly tags: Readonly<Record<string, string>>;
}

export interface CrossAccountRoleConfig {
  readonly name: string;
  /** Names of `accounts.workloads` entries whose principals may assume the role. */
  readonly sourceAccounts: readonly string[];
  /** Role names in the source accounts that get the matching `sts:AssumeRole` permission. */
  readonly sourceRoleNames: readonly string[];
  readonly externalId?: string;
  readonly principalArnPatterns: readonly string[];
}

export interface StageConfig {
  /** Cross-area answers decided from the sections below (`decideStage`): the composition reads these, never re-derives them. */
  readonly decisions: StageDecisions;
  readonly name: string;
  readonly organization: string;
  /** Prefix of physical names and tags: `<project short>-<stage>`. */
  readonly namePrefix: string;
  readonly organizationId?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly accounts: {
    readonly inference: AccountConfig;
    readonly telemetry: AccountConfig;
    readonly workloads: readonly WorkloadAccountConfig[];
  };
  /** Source Region (where profiles, logs, the collector live). */
  readonly region: string;
  /** The corporate OIDC IdP; absent only in an IAM Identity Center stage that has none (`identityCenterChecks` says when it is needed). */
  readonly identityProvider?: IdentityProviderConfig;
  readonly federation: {
    readonly mode: "direct" | "cognito-identity-pool" | "identity-center";
    readonly sessionDurationHours: number;
    /** With `mode: identity-center`: the IdC instance, groups and permission set. */
    readonly identityCenter?: IdentityCenterConfig;
  };
  readonly models: {
    readonly primary: string;
    readonly fast: string;
    readonly opus?: string;
    /** Cross-Region profile prefix the stage uses, or `none` for in-Region on-demand. */
    readonly crossRegion: inference.CrossRegionPrefix | "none";
  };
  readonly teams: readonly TeamConfig[];
  readonly inference: {
    readonly invocationLogging: {
      readonly enabled: boolean;
      readonly logRetentionDays: number;
      readonly s3ExpirationDays: number;
      /** Audit option: full text of prompts and responses (off by default). */
      readonly text: boolean;
    };
    readonly alarms: {
      readonly emails: readonly string[];
      readonly throttlesPer5Min: number;
      readonly serverErrorsPer5Min: number;
      readonly clientErrorsPer5Min: number;
      readonly latencyP90Ms: number;
      readonly invocationsPerHour: number;
    };
    readonly denyBedrockApiKeys: boolean;
    /**
     * Each team's application inference profiles may be invoked only by sessions whose `team` session tag
     * (from the IdP's `https://aws.amazon.com/tags` claim, `principal_tags.team`) equals the profile's `team`
     * tag. System profiles stay open to every developer session. Needs at least one team. Default false.
     */
    readonly restrictTeamProfiles: boolean;
    /** Alarms at a percentage of the applied Bedrock tokens- and requests-per-minute quotas of the primary and fast models. */
    readonly serviceQuotaAlarms: ServiceQuotaAlarmsConfig;
  };
  readonly crossAccount: { readonly roles: readonly CrossAccountRoleConfig[] };
  readonly telemetry: TelemetryConfig;
  readonly quotas: QuotaConfig;
  readonly analytics: AnalyticsConfig;
  readonly distribution: DistributionConfig;
  readonly cicd: CicdConfig;
  readonly helper: HelperConfig;
}

function readAccount(r: Reader | undefined, fallback?: AccountConfig): AccountConfig {
  if (!r) return fallback ?? { id: "" };
  const id = r.str("id", { pattern: ACCOUNT_ID, hint: "a 12-digit AWS account id, quoted in YAML" });
  const deployRoleArn = r.optStr("deployRoleArn", { pattern: ROLE_ARN, hint: "an IAM role ARN" });
  if (deployRoleArn && deployRoleArn.split(":")[4] !== id)
    r.p.add(r.key("deployRoleArn"), `is in account ${deployRoleArn.split(":")[4]}, not ${id}`);
  return { id, ...(deployRoleArn ? { deployRoleArn } : {}) };
}

/** Parses and validates the stage configuration (the `claude-code-bedrock:stage` object). */
export function parseStageConfig(stageName: string, raw: unknown, p = new ConfigProblems()): StageConfig {
  if (raw === undefined || raw === null) {
    p.add(
      "stage",
      `is missing: Pulumi.${stageName}.yaml needs a \`config:\` map with the key claude-code-bedrock:stage (copy Pulumi.pilot.yaml and edit it)`,
    );
    p.throwIfAny(stageName);
  }
  if (!isObj(raw)) {
    p.add(
      "stage",
      `must be a map of the stage's settings (got ${Array.isArray(raw) ? "a list" : JSON.stringify(raw)}); see Pulumi.pilot.yaml`,
    );
    p.throwIfAny(stageName);
  }
  // Unknown keys first: a misspelt section or flag would otherwise be read as absent, i.e. its default.
  checkKnownKeys(raw, p);
  const r = new Reader(p, raw as Record<string, unknown>, "stage");
  const name = r.str("name", { pattern: /^[a-z][a-z0-9-]{1,15}$/, hint: "the stage name, e.g. pilot" });
  if (name && name !== stageName) p.add("stage.name", `is "${name}" but the stack is "${stageName}"; they must match`);
  const organization = r.str("organization", { hint: "your organisation's display name" });
  const namePrefix = r.str("namePrefix", {
    pattern: NAME_PREFIX,
    hint: "2–20 lower-case letters, digits, dashes",
    default: `ccb-${stageName}`,
  });
  const organizationId = r.optStr("organizationId", { pattern: ORG_ID, hint: "an AWS Organizations id (o-xxxxxxxxxx)" });
  const tags = r.stringMap("tags");

  const acc = r.child("accounts");
  const inferenceAccount = readAccount(acc?.child("inference"));
  const telemetryAccount = readAccount(acc?.child("telemetry", false), inferenceAccount);
  const workloads = (acc?.list("workloads") ?? []).map((w) => ({
    name: w.str("name", { pattern: TEAM_NAME, hint: "lower-case name" }),
    ...readAccount(w),
  }));

  const region = r.str("region", { pattern: REGION, hint: "an AWS Region such as us-east-1" });
  if (region && REGION.test(region) && !isAwsRegion(region)) p.add("stage.region", regionProblem(region));

  const fed = r.child("federation", false);
  const mode = fed?.oneOf("mode", ["direct", "cognito-identity-pool", "identity-center"] as const, "direct") ?? "direct";
  const identityCenter =
    mode === "identity-center" ? parseIdentityCenterConfig(fed!.child("identityCenter"), stageName, inferenceAccount) : undefined;
  if (mode !== "identity-center" && fed?.has("identityCenter"))
    p.add(fed.key("identityCenter"), "applies to federation.mode: identity-center only; set the mode or remove the section");
  // IdC stages sign developers in through IdC: the corporate IdP is read only when the section is there.
  const idpReader = r.child("identityProvider", mode !== "identity-center");
  const identityProvider =
    idpReader || mode !== "identity-center" ? parseIdentityProvider(idpReader, mode, inferenceAccount.id) : undefined;
  const sessionDurationHours = fed?.num("sessionDurationHours", { min: 1, max: 12, default: 8 }) ?? 8;

  const m = r.child("models");
  const crossRegion = m?.oneOf("crossRegion", ["us", "eu", "apac", "jp", "au", "global", "us-gov", "none"] as const, "us") ?? "us";
  const checkModel = (key: string, optional = false): string | undefined => {
    if (!m || (optional && !m.has(key))) return undefined;
    const id = m.str(key, { hint: "a Bedrock model id such as anthropic.claude-sonnet-4-5-20250929-v1:0" });
    const known = inference.findModel(id);
    if (id && !known)
      p.add(m.key(key), `"${id}" is not a known Claude model id; known: ${inference.KNOWN_MODELS.map((k) => k.id).join(", ")}`);
    else if (known && crossRegion !== "none" && !known.prefixes.includes(crossRegion)) {
      p.add(m.key(key), `${id} has no "${crossRegion}." cross-Region profile; it supports ${known.prefixes.join(", ")}`);
    }
    return id;
  };
  const primary = checkModel("primary") ?? "";
  const fast = checkModel("fast") ?? "";
  const opus = checkModel("opus", true);
  if (region) for (const problem of inference.validateGeography(region, crossRegion)) p.add("stage.models.crossRegion", problem);

  const teams = r.list("teams").map((t) => ({
    name: t.str("name", { pattern: TEAM_NAME, hint: "2–31 lower-case letters, digits, dashes, starting with a letter" }),
    costCenter: t.str("costCenter", {
      pattern: /^[\p{L}\p{N} _.:/=+@-]{1,256}$/u,
      hint: "letters, digits, spaces and _.:/=+-@ (AWS tag value rules)",
    }),
    tags: t.stringMap("tags"),
  }));
  teams.forEach((t, i) => {
    // As the inference account tags the team's profiles: the team and cost-center tags plus the team's own.
    for (const problem of naming.validateTags({ team: t.name, "cost-center": t.costCenter, ...t.tags }))
      p.add(`stage.teams[${i}].tags`, problem);
    if (teams.findIndex((x) => x.name === t.name) !== i) p.add(`stage.teams[${i}].name`, `team "${t.name}" is listed twice`);
  });

  const inf = r.child("inference", false) ?? new Reader(p, {}, "stage.inference");
  const logging = inf.child("invocationLogging", false) ?? new Reader(p, {}, "stage.inference.invocationLogging");
  const alarms = inf.child("alarms", false) ?? new Reader(p, {}, "stage.inference.alarms");
  const restrictTeamProfiles = inf.bool("restrictTeamProfiles", false);
  if (restrictTeamProfiles && teams.length === 0) {
    p.add(
      inf.key("restrictTeamProfiles"),
      "restricts each team's inference profiles to that team's sessions, but stage.teams lists no team; add teams or set it to false",
    );
  }

  const crossAccountRoles = parseCrossAccountRoles(r.child("crossAccount", false), workloads, organizationId);

  const sections: Omit<StageConfig, "decisions"> = {
    name: stageName,
    organization,
    namePrefix,
    ...(organizationId ? { organizationId } : {}),
    tags,
    accounts: { inference: inferenceAccount, telemetry: telemetryAccount, workloads },
    region,
    ...(identityProvider ? { identityProvider } : {}),
    federation: { mode, sessionDurationHours, ...(identityCenter ? { identityCenter } : {}) },
    models: { primary, fast, ...(opus ? { opus } : {}), crossRegion },
    teams,
    inference: {
      invocationLogging: {
        enabled: logging.bool("enabled", true),
        logRetentionDays: logging.retention("logRetentionDays", 90),
        s3ExpirationDays: logging.num("s3ExpirationDays", { min: 1, max: 3650, default: 365 }),
        text: logging.bool("text", false),
      },
      alarms: {
        emails: alarms.strList("emails", { default: [], pattern: EMAIL, hint: "email addresses" }),
        throttlesPer5Min: alarms.num("throttlesPer5Min", { min: 1, max: 1e6, default: 10 }),
        serverErrorsPer5Min: alarms.num("serverErrorsPer5Min", { min: 1, max: 1e6, default: 5 }),
        clientErrorsPer5Min: alarms.num("clientErrorsPer5Min", { min: 1, max: 1e6, default: 50 }),
        latencyP90Ms: alarms.num("latencyP90Ms", { min: 100, max: 600000, default: 60000 }),
        invocationsPerHour: alarms.num("invocationsPerHour", { min: 1, max: 1e9, default: 20000 }),
      },
      denyBedrockApiKeys: inf.bool("denyBedrockApiKeys", true),
      restrictTeamProfiles,
      serviceQuotaAlarms: parseServiceQuotaAlarms(inf.child("serviceQuotaAlarms", false)),
    },
    crossAccount: { roles: crossAccountRoles },
    telemetry: parseTelemetryConfig(r.child("telemetry", false), p),
    quotas: parseQuotaConfig(r.child("quotas", false), p),
    analytics: parseAnalyticsConfig(r.child("analytics", false), p),
    distribution: parseDistributionConfig(r.child("distribution", false), p),
    cicd: parseCicdConfig(r.child("cicd", false), p),
    helper: parseHelperConfig(r.child("helper", false)),
  };
  const config: StageConfig = { ...sections, decisions: decideStage(sections) };
  crossAreaChecks(config, p);
  p.throwIfAny(stageName);
  return config;
}
