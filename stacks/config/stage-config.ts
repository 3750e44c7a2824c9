import { federation, inference, naming } from "@ccb/infra";
import { ACCOUNT_ID, ConfigProblems, EMAIL, isObj, REGION, Reader, ROLE_ARN } from "./problems";
import { parseAnalyticsConfig, type AnalyticsConfig } from "./analytics";
import { parseDistributionConfig, type DistributionConfig } from "./distribution";
import { parseQuotaConfig, type QuotaConfig } from "./quotas";
import { parseTelemetryConfig, type TelemetryConfig } from "./telemetry";
import { parseCicdConfig, type CicdConfig } from "./cicd";
import { REDIRECT_HOSTS, type RedirectHost } from "@ccb/contracts";

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
  readonly identityProvider: {
    readonly kind: federation.IdentityProviderKind;
    readonly issuer: federation.NormalisedIssuer;
    readonly clientId: string;
    readonly existingProviderArn?: string;
    readonly allowedSubjects: readonly string[];
    readonly requiredSessionTag?: { readonly key: string; readonly values: readonly string[] };
    /**
     * Session tag key (e.g. `email`) under which the IdP sends the user's email in the token's
     * `https://aws.amazon.com/tags` claim (`principal_tags`). Direct federation only: the user role's
     * trust then requires the tag, and the quota block keys on `aws:PrincipalTag/<key>`. Unlike the
     * role session name, which the caller of AssumeRoleWithWebIdentity chooses freely, session tags come
     * only from the signed token. Required for `quotas.mode: block` with the server-side block.
     */
    readonly emailSessionTag?: string;
    readonly redirectPort: number;
    /**
     * Host of the loopback redirect URI the IdP must have registered. Absent: `localhost` for
     * `kind: cognito-user-pool` (Cognito accepts plain-http callbacks only for `http://localhost`),
     * `127.0.0.1` otherwise.
     */
    readonly redirectHost?: RedirectHost;
    readonly scopes: readonly string[];
    readonly emailClaim: string;
    readonly groupsClaim?: string;
    readonly attributeClaims: { readonly department?: string; readonly team?: string; readonly costCenter?: string };
  };
  readonly federation: {
    readonly mode: "direct" | "cognito-identity-pool";
    readonly sessionDurationHours: number;
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
    readonly invocationLogging: { readonly enabled: boolean; readonly logRetentionDays: number; readonly s3ExpirationDays: number };
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
  };
  readonly crossAccount: { readonly roles: readonly CrossAccountRoleConfig[] };
  readonly telemetry: TelemetryConfig;
  readonly quotas: QuotaConfig;
  readonly analytics: AnalyticsConfig;
  readonly distribution: DistributionConfig;
  readonly cicd: CicdConfig;
}

const TEAM_NAME = /^[a-z][a-z0-9-]{1,30}$/;

function readAccount(r: Reader | undefined, fallback?: AccountConfig): AccountConfig {
  if (!r) return fallback ?? { id: "" };
  const id = r.str("id", { pattern: ACCOUNT_ID, hint: "a 12-digit AWS account id, quoted in YAML" });
  const deployRoleArn = r.optStr("deployRoleArn", { pattern: ROLE_ARN, hint: "an IAM role ARN" });
  if (deployRoleArn && deployRoleArn.split(":")[4] !== id) r.p.add(r.key("deployRoleArn"), `is in account ${deployRoleArn.split(":")[4]}, not ${id}`);
  return { id, ...(deployRoleArn ? { deployRoleArn } : {}) };
}

/** Parses and validates the stage configuration (the `claude-code-bedrock:stage` object). */
export function parseStageConfig(stageName: string, raw: unknown): StageConfig {
  const p = new ConfigProblems();
  if (!isObj(raw)) {
    p.add("stage", "is missing; set claude-code-bedrock:stage in the stack's config file (see Pulumi.pilot.yaml)");
    p.throwIfAny(stageName);
  }
  const r = new Reader(p, raw as Record<string, unknown>, "stage");
  const name = r.str("name", { pattern: /^[a-z][a-z0-9-]{1,15}$/, hint: "the stage name, e.g. pilot" });
  if (name && name !== stageName) p.add("stage.name", `is "${name}" but the stack is "${stageName}"; they must match`);
  const organization = r.str("organization", { hint: "your organisation's display name" });
  const namePrefix = r.str("namePrefix", { pattern: /^[a-z][a-z0-9-]{1,19}$/, hint: "2–20 lower-case letters, digits, dashes", default: `ccb-${stageName}` });
  const organizationId = r.optStr("organizationId", { pattern: /^o-[a-z0-9]{10,32}$/, hint: "an AWS Organizations id (o-xxxxxxxxxx)" });
  const tags = r.stringMap("tags");

  const acc = r.child("accounts");
  const inferenceAccount = readAccount(acc?.child("inference"));
  const telemetryAccount = readAccount(acc?.child("telemetry", false), inferenceAccount);
  const workloads = (acc?.list("workloads") ?? []).map((w) => ({ name: w.str("name", { pattern: /^[a-z][a-z0-9-]{1,30}$/, hint: "lower-case name" }), ...readAccount(w) }));

  const region = r.str("region", { pattern: REGION, hint: "an AWS Region such as us-east-1" });

  const idp = r.child("identityProvider");
  const kind = idp?.oneOf("kind", ["okta", "entra", "auth0", "cognito-user-pool", "generic"] as const, "generic") ?? "generic";
  let issuer: federation.NormalisedIssuer = { url: "", iss: "", key: "", kind };
  if (idp) {
    const rawIssuer = idp.str("issuer", { hint: "the IdP's https issuer URL" });
    if (rawIssuer) {
      try {
        issuer = federation.normalizeIssuer(rawIssuer, kind);
      } catch (e) {
        p.add(idp.key("issuer"), (e as Error).message);
      }
    }
  }
  const allowedSubjects = idp?.strList("allowedSubjects", { default: [] }) ?? [];
  const tagReader = idp?.child("requiredSessionTag", false);
  const requiredSessionTag = tagReader ? { key: tagReader.str("key", { pattern: /^[A-Za-z0-9_.:/=+@-]{1,128}$/, hint: "a session tag key" }), values: tagReader.strList("values", { min: 1 }) } : undefined;
  if (idp && allowedSubjects.length === 0 && !requiredSessionTag) {
    p.add(idp.key("allowedSubjects"), "restrict who may assume the Bedrock role: list allowedSubjects (pilot) or set requiredSessionTag (production)");
  }
  allowedSubjects.forEach((s, i) => {
    if (/^[*?]+$/.test(s)) p.add(`${idp!.key("allowedSubjects")}[${i}]`, "a bare wildcard lets every user in; name subjects or use requiredSessionTag");
  });
  const attributeClaims = idp?.child("attributeClaims", false);
  const emailSessionTag = idp?.optStr("emailSessionTag", { pattern: /^[A-Za-z0-9_.:/=+@-]{1,128}$/, hint: "a session tag key (1–128 of [A-Za-z0-9_.:/=+@-]) such as email" });

  const fed = r.child("federation", false);
  const mode = fed?.oneOf("mode", ["direct", "cognito-identity-pool"] as const, "direct") ?? "direct";
  if (emailSessionTag && mode !== "direct") {
    p.add(idp!.key("emailSessionTag"), "applies to federation.mode: direct only (a Cognito identity pool maps the email principal tag itself); remove it");
  }
  const sessionDurationHours = fed?.num("sessionDurationHours", { min: 1, max: 12, default: 8 }) ?? 8;

  const m = r.child("models");
  const crossRegion = m?.oneOf("crossRegion", ["us", "eu", "apac", "jp", "au", "global", "us-gov", "none"] as const, "us") ?? "us";
  const checkModel = (key: string, optional = false): string | undefined => {
    if (!m || (optional && !m.has(key))) return undefined;
    const id = m.str(key, { hint: "a Bedrock model id such as anthropic.claude-sonnet-4-5-20250929-v1:0" });
    const known = inference.findModel(id);
    if (id && !known) p.add(m.key(key), `"${id}" is not a known Claude model id; known: ${inference.KNOWN_MODELS.map((k) => k.id).join(", ")}`);
    else if (known && crossRegion !== "none" && !known.prefixes.includes(crossRegion)) {
      p.add(m.key(key), `${id} has no "${crossRegion}." cross-Region profile; it supports ${known.prefixes.join(", ")}`);
    }
    return id;
  };
  const primary = checkModel("primary") ?? "";
  const fast = checkModel("fast") ?? "";
  const opus = checkModel("opus", true);
  if (m?.has("destinationRegions")) {
    p.add("stage.models.destinationRegions", "is no longer used: access follows the profile's geography (crossRegion); remove the key");
  }
  if (region) for (const problem of inference.validateGeography(region, crossRegion)) p.add("stage.models.crossRegion", problem);

  const teams = r.list("teams").map((t) => ({
    name: t.str("name", { pattern: TEAM_NAME, hint: "2–31 lower-case letters, digits, dashes, starting with a letter" }),
    costCenter: t.str("costCenter", { pattern: /^[\p{L}\p{N} _.:/=+@-]{1,256}$/u, hint: "letters, digits, spaces and _.:/=+-@ (AWS tag value rules)" }),
    tags: t.stringMap("tags"),
  }));
  teams.forEach((t, i) => {
    for (const problem of naming.validateTags(t.tags)) p.add(`stage.teams[${i}].tags`, problem);
    if (teams.findIndex((x) => x.name === t.name) !== i) p.add(`stage.teams[${i}].name`, `team "${t.name}" is listed twice`);
  });

  const inf = r.child("inference", false) ?? new Reader(p, {}, "stage.inference");
  const logging = inf.child("invocationLogging", false) ?? new Reader(p, {}, "stage.inference.invocationLogging");
  const alarms = inf.child("alarms", false) ?? new Reader(p, {}, "stage.inference.alarms");
  const restrictTeamProfiles = inf.bool("restrictTeamProfiles", false);
  if (restrictTeamProfiles && teams.length === 0) {
    p.add(inf.key("restrictTeamProfiles"), "restricts each team's inference profiles to that team's sessions, but stage.teams lists no team; add teams or set it to false");
  }

  const xa = r.child("crossAccount", false);
  const workloadNames = new Set(workloads.map((w) => w.name));
  const crossAccountRoles = (xa?.list("roles") ?? []).map((x) => {
    const sourceAccounts = x.strList("sourceAccounts", { min: 1 });
    sourceAccounts.forEach((s, i) => {
      if (!workloadNames.has(s)) p.add(`${x.key("sourceAccounts")}[${i}]`, `"${s}" is not in accounts.workloads; add it there first`);
    });
    const externalId = x.optStr("externalId", { pattern: /^[\w+=,.@:/-]{2,1224}$/, hint: "2–1224 characters of [\\w+=,.@:/-]" });
    if (!organizationId && !externalId) p.add(x.key("externalId"), "set stage.organizationId or an externalId: cross-account trust needs one of them");
    return {
      name: x.str("name", { pattern: /^[a-z][a-z0-9-]{1,30}$/, hint: "lower-case name" }),
      sourceAccounts,
      sourceRoleNames: x.strList("sourceRoleNames", { default: [], pattern: /^[\w+=,.@-]{1,64}$/, hint: "IAM role names" }),
      ...(externalId ? { externalId } : {}),
      principalArnPatterns: x.strList("principalArnPatterns", { default: [] }),
    };
  });

  const config: StageConfig = {
    name: stageName,
    organization,
    namePrefix,
    ...(organizationId ? { organizationId } : {}),
    tags,
    accounts: { inference: inferenceAccount, telemetry: telemetryAccount, workloads },
    region,
    identityProvider: {
      kind,
      issuer,
      clientId: idp?.str("clientId", { hint: "the OAuth client id registered for the helper" }) ?? "",
      ...(idp?.has("existingProviderArn") ? { existingProviderArn: idp.str("existingProviderArn", { pattern: /^arn:aws(?:-[a-z]+)*:iam::\d{12}:oidc-provider\/.+$/, hint: "an IAM OIDC provider ARN" }) } : {}),
      allowedSubjects,
      ...(requiredSessionTag ? { requiredSessionTag } : {}),
      ...(emailSessionTag ? { emailSessionTag } : {}),
      redirectPort: idp?.num("redirectPort", { min: 1024, max: 65535, default: 8400 }) ?? 8400,
      ...(idp?.has("redirectHost") ? { redirectHost: idp.oneOf("redirectHost", REDIRECT_HOSTS) } : {}),
      scopes: idp?.strList("scopes", { default: ["openid", "email", "profile", "offline_access"] }) ?? [],
      emailClaim: idp?.str("emailClaim", { default: "email" }) ?? "email",
      ...(idp?.has("groupsClaim") ? { groupsClaim: idp.str("groupsClaim") } : {}),
      attributeClaims: {
        ...(attributeClaims?.has("department") ? { department: attributeClaims.str("department") } : {}),
        ...(attributeClaims?.has("team") ? { team: attributeClaims.str("team") } : {}),
        ...(attributeClaims?.has("costCenter") ? { costCenter: attributeClaims.str("costCenter") } : {}),
      },
    },
    federation: { mode, sessionDurationHours },
    models: { primary, fast, ...(opus ? { opus } : {}), crossRegion },
    teams,
    inference: {
      invocationLogging: {
        enabled: logging.bool("enabled", true),
        logRetentionDays: logging.retention("logRetentionDays", 90),
        s3ExpirationDays: logging.num("s3ExpirationDays", { min: 1, max: 3650, default: 365 }),
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
    },
    crossAccount: { roles: crossAccountRoles },
    telemetry: parseTelemetryConfig(r.child("telemetry", false), p),
    quotas: parseQuotaConfig(r.child("quotas", false), p),
    analytics: parseAnalyticsConfig(r.child("analytics", false), p),
    distribution: parseDistributionConfig(r.child("distribution", false), p),
    cicd: parseCicdConfig(r.child("cicd", false), p),
  };
  // The role session name is chosen by whoever calls AssumeRoleWithWebIdentity (any name, with the
  // user's own id_token), so a deny keyed on it is escaped by renaming the session. Only a session tag
  // from the signed token identifies the user to IAM.
  const q = config.quotas;
  if (q.enabled && q.mode === "block" && q.serverSideBlock && mode === "direct" && !emailSessionTag) {
    p.add(
      "stage.identityProvider.emailSessionTag",
      "is required with quotas.mode: block and quotas.enforcement.serverSideBlock in direct federation: the IAM deny must key on the email as a session tag the IdP sends (https://aws.amazon.com/tags claim, principal_tags), because the role session name is chosen by the caller of AssumeRoleWithWebIdentity and a blocked user could escape the deny under another name; map the email as a session tag at the IdP and set e.g. emailSessionTag: email, or set quotas.enforcement.serverSideBlock: false",
    );
  }
  p.throwIfAny(stageName);
  return config;
}
