import { decideStage, type StageDecisions } from "./decisions";
import { federation, inference, naming } from "@ccb/infra";
import { ACCOUNT_ID, ConfigProblems, EMAIL, isObj, REGION, Reader, ROLE_ARN } from "./problems";
import { parseAnalyticsConfig, type AnalyticsConfig } from "./analytics";
import { parseDistributionConfig, type DistributionConfig } from "./distribution";
import { parseQuotaConfig, type QuotaConfig } from "./quotas";
import { parseTelemetryConfig, type TelemetryConfig } from "./telemetry";
import { parseCicdConfig, type CicdConfig } from "./cicd";
import { REDIRECT_HOSTS, type RedirectHost } from "@ccb/contracts";
import { AWS_REGIONS, isAwsRegion } from "./regions";
import { identityCenterChecks } from "./identity-center-checks";
import { checkKnownKeys } from "./schema";
import { nearest } from "./suggest";
import { parseIdentityCenterConfig, type IdentityCenterConfig } from "./identity-center";

const { NAME_PREFIX, ORG_ID, ROLE_NAME, SESSION_TAG_KEY, TEAM_NAME } = naming.patterns;

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

function readAccount(r: Reader | undefined, fallback?: AccountConfig): AccountConfig {
  if (!r) return fallback ?? { id: "" };
  const id = r.str("id", { pattern: ACCOUNT_ID, hint: "a 12-digit AWS account id, quoted in YAML" });
  const deployRoleArn = r.optStr("deployRoleArn", { pattern: ROLE_ARN, hint: "an IAM role ARN" });
  if (deployRoleArn && deployRoleArn.split(":")[4] !== id)
    r.p.add(r.key("deployRoleArn"), `is in account ${deployRoleArn.split(":")[4]}, not ${id}`);
  return { id, ...(deployRoleArn ? { deployRoleArn } : {}) };
}

/** The message for a well-formed but non-existent Region, with the nearest real one. */
export function regionProblem(region: string): string {
  const near = nearest(region, AWS_REGIONS);
  return `"${region}" is not an AWS Region${near ? ` (did you mean ${near}?)` : ""}; use one of ${AWS_REGIONS.join(", ")}`;
}

/**
 * `aws:PrincipalArn` patterns of a cross-account role: role ARNs in the role's source accounts whose
 * name is pinned before any wildcard. `*`, `arn:aws:iam::<account>:*` or `…:role/*` would admit every
 * principal of an account (or of any account), which is what the named source roles are there to avoid.
 */
function principalArnPatterns(x: Reader, sourceAccountIds: readonly string[]): string[] {
  const patterns = x.strList("principalArnPatterns", { default: [] });
  patterns.forEach((pattern, i) => {
    const key = `${x.key("principalArnPatterns")}[${i}]`;
    const m = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/(.+)$/.exec(pattern);
    if (!m) {
      x.p.add(
        key,
        `"${pattern}" is not a role ARN pattern: write arn:aws:iam::<source account id>:role/<role name or name prefix>* (a bare wildcard or a whole account admits every principal there)`,
      );
      return;
    }
    const [, account, name] = m;
    if (sourceAccountIds.length && !sourceAccountIds.includes(account!)) {
      x.p.add(
        key,
        `is in account ${account}, which is not one of this role's sourceAccounts (${sourceAccountIds.join(", ")}); use a role of a source account`,
      );
    }
    if (name!.replace(/[*?/]/g, "") === "" || /^[*?]/.test(name!)) {
      x.p.add(
        key,
        `"${pattern}" admits every role of account ${account}: pin the role name (or a name prefix such as role/ci-*), or list the roles in sourceRoleNames`,
      );
    }
  });
  return patterns;
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
  const requiredSessionTag = tagReader
    ? {
        key: tagReader.str("key", { pattern: SESSION_TAG_KEY, hint: "a session tag key" }),
        values: tagReader.strList("values", { min: 1 }),
      }
    : undefined;
  if (idp && allowedSubjects.length === 0 && !requiredSessionTag) {
    p.add(
      idp.key("allowedSubjects"),
      "restrict who may assume the Bedrock role: list allowedSubjects (pilot) or set requiredSessionTag (production)",
    );
  }
  // Named subjects only: `00u*` admits every user whose id happens to start so (IAM StringLike), and the
  // trust cannot mix exact subjects with patterns (IAM ANDs the two operators).
  allowedSubjects.forEach((s, i) => {
    if (/[*?]/.test(s))
      p.add(
        `${idp!.key("allowedSubjects")}[${i}]`,
        `"${s}" has a wildcard; list each user's exact \`sub\` value, or restrict by a group with requiredSessionTag`,
      );
    else if (s.trim() === "") p.add(`${idp!.key("allowedSubjects")}[${i}]`, "is empty; list each user's exact `sub` value");
  });
  requiredSessionTag?.values.forEach((v, i) => {
    if (/[*?]/.test(v) || v.trim() === "")
      p.add(
        `${tagReader!.key("values")}[${i}]`,
        `"${v}" is not an exact tag value: a wildcard admits every token that carries the tag key; list the exact values the IdP sends (e.g. [enabled])`,
      );
  });
  const attributeClaims = idp?.child("attributeClaims", false);
  const emailSessionTag = idp?.optStr("emailSessionTag", {
    pattern: SESSION_TAG_KEY,
    hint: "a session tag key (1–128 of [A-Za-z0-9_.:/=+@-]) such as email",
  });

  const fed = r.child("federation", false);
  const mode = fed?.oneOf("mode", ["direct", "cognito-identity-pool", "identity-center"] as const, "direct") ?? "direct";
  const identityCenter =
    mode === "identity-center" ? parseIdentityCenterConfig(fed!.child("identityCenter"), stageName, inferenceAccount) : undefined;
  if (mode !== "identity-center" && fed?.has("identityCenter"))
    p.add(fed.key("identityCenter"), "applies to federation.mode: identity-center only; set the mode or remove the section");
  const existingProviderArn = idp?.has("existingProviderArn")
    ? idp.str("existingProviderArn", { pattern: /^arn:aws(?:-[a-z]+)*:iam::\d{12}:oidc-provider\/.+$/, hint: "an IAM OIDC provider ARN" })
    : undefined;
  if (
    existingProviderArn &&
    inferenceAccount.id &&
    /:iam::\d{12}:/.test(existingProviderArn) &&
    existingProviderArn.split(":")[4] !== inferenceAccount.id
  ) {
    p.add(
      idp!.key("existingProviderArn"),
      `is in account ${existingProviderArn.split(":")[4]}, but the user role is created in the inference account ${inferenceAccount.id}; a role can trust only its own account's OIDC provider: use that account's provider ARN or remove the key to create one`,
    );
  }
  if (emailSessionTag && mode !== "direct") {
    p.add(
      idp!.key("emailSessionTag"),
      "applies to federation.mode: direct only (a Cognito identity pool maps the email principal tag itself); remove it",
    );
  }
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

  const xa = r.child("crossAccount", false);
  const workloadNames = new Set(workloads.map((w) => w.name));
  const crossAccountRoles = (xa?.list("roles") ?? []).map((x) => {
    const sourceAccounts = x.strList("sourceAccounts", { min: 1 });
    sourceAccounts.forEach((s, i) => {
      if (!workloadNames.has(s)) p.add(`${x.key("sourceAccounts")}[${i}]`, `"${s}" is not in accounts.workloads; add it there first`);
    });
    const externalId = x.optStr("externalId", { pattern: /^[\w+=,.@:/-]{2,1224}$/, hint: "2–1224 characters of [\\w+=,.@:/-]" });
    if (!organizationId && !externalId)
      p.add(x.key("externalId"), "set stage.organizationId or an externalId: cross-account trust needs one of them");
    const sourceRoleNames = x.strList("sourceRoleNames", { default: [], pattern: ROLE_NAME, hint: "IAM role names" });
    const patterns = principalArnPatterns(
      x,
      sourceAccounts.flatMap((s) => workloads.filter((w) => w.name === s).map((w) => w.id)),
    );
    // Without named roles or patterns the trust names only the source accounts: every principal there
    // whose own policies allow sts:AssumeRole could use the role.
    if (sourceRoleNames.length === 0 && patterns.length === 0) {
      p.add(
        x.key("sourceRoleNames"),
        "is required (or principalArnPatterns): without either, every principal of the source accounts may assume the role; name the roles that call Claude",
      );
    }
    return {
      name: x.str("name", { pattern: TEAM_NAME, hint: "lower-case name" }),
      sourceAccounts,
      sourceRoleNames,
      ...(externalId ? { externalId } : {}),
      principalArnPatterns: patterns,
    };
  });

  const sections: Omit<StageConfig, "decisions"> = {
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
      clientId:
        idp?.str("clientId", {
          pattern: /^[^\s*?]+$/,
          hint: "the OAuth client id registered for the helper, exactly (no spaces or wildcards: it pins the role's audience)",
        }) ?? "",
      ...(existingProviderArn ? { existingProviderArn } : {}),
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
    federation: { mode, sessionDurationHours, ...(identityCenter ? { identityCenter } : {}) },
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
  const config: StageConfig = { ...sections, decisions: decideStage(sections) };
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
  crossAreaChecks(config, p);
  p.throwIfAny(stageName);
  return config;
}

/**
 * Checks that need several sections at once. They used to throw from inside the composition, after
 * part of the stage was declared; here they run before anything is, each with its key. (The
 * composition and the components keep their own checks as defence in depth.)
 */
function crossAreaChecks(config: StageConfig, p: ConfigProblems): void {
  const { quotas: q, telemetry: t, cicd: ci, distribution: d, identityProvider: idp } = config;
  const cognito = config.federation.mode === "cognito-identity-pool";
  identityCenterChecks(config, p);

  // A Cognito identity pool sets the email principal tag only when the token has the email claim, and the
  // pool role's trust does not require the tag: a token without the claim would get a session that the
  // IAM deny (aws:PrincipalTag/email) never matches. See docs/quotas.md.
  if (q.enabled && q.mode === "block" && q.serverSideBlock && cognito) {
    p.add(
      "stage.quotas.enforcement.serverSideBlock",
      "cannot be enforced with federation.mode: cognito-identity-pool: the identity pool's role does not require the email session tag the IAM block keys on, so a token without the email claim escapes the block; use federation.mode: direct with identityProvider.emailSessionTag, or set quotas.enforcement.serverSideBlock: false (the helper's /check still refuses credentials)",
    );
  }

  if (q.enabled) {
    const logs = config.inference.invocationLogging.enabled;
    if (q.sources.telemetry === true && !t.enabled)
      p.add(
        "stage.quotas.sources.telemetry",
        "is true but stage.telemetry.enabled is false: the telemetry area publishes the per-user token metric; enable telemetry or set it to auto",
      );
    if (q.sources.invocationLogs === true && !logs)
      p.add(
        "stage.quotas.sources.invocationLogs",
        "is true but stage.inference.invocationLogging.enabled is false; enable invocation logging or set it to auto",
      );
    if (q.sources.invocationLogs === true && cognito) {
      p.add(
        "stage.quotas.sources.invocationLogs",
        "cannot attribute usage with federation.mode cognito-identity-pool (every session is named CognitoIdentityCredentials); set it to auto or false",
      );
    }
    const useTelemetry = q.sources.telemetry !== false && t.enabled;
    const useLogs = q.sources.invocationLogs !== false && logs && !cognito;
    if (!useTelemetry && !useLogs)
      p.add(
        "stage.quotas.sources",
        "leaves nothing to meter: enable stage.telemetry (client telemetry) or stage.inference.invocationLogging (direct federation)",
      );
    if (q.enforceOn === "telemetry" && !useTelemetry)
      p.add("stage.quotas.enforceOn", "is telemetry but the telemetry source is off; enable stage.telemetry or use enforceOn: max");
    if (q.enforceOn === "invocation-logs" && !useLogs)
      p.add(
        "stage.quotas.enforceOn",
        "is invocation-logs but invocation logs are not a source (they need invocationLogging and direct federation); use enforceOn: max",
      );
  }

  if (t.enabled && t.certificateArn) {
    // The load balancer in the telemetry account and the stage's Region can use only a certificate of its own.
    const [, , , certRegion, certAccount] = t.certificateArn.split(":");
    if (certAccount !== config.accounts.telemetry.id || certRegion !== config.region) {
      p.add(
        "stage.telemetry.certificateArn",
        `is in account ${certAccount}, Region ${certRegion}, but the collector's load balancer is in account ${config.accounts.telemetry.id}, Region ${config.region}; import or issue the certificate there (or set hostedZoneId to issue one)`,
      );
    }
  }
  if (t.enabled && idp.kind === "generic" && !t.jwksUri) {
    p.add(
      "stage.telemetry.jwksUri",
      `is required for identityProvider.kind: generic; copy jwks_uri from ${idp.issuer.url || "<issuer>"}/.well-known/openid-configuration`,
    );
  }

  if (d.enabled) {
    const registryAccount = d.account === "inference" ? config.accounts.inference.id : config.accounts.telemetry.id;
    if (d.readers.organization && !config.organizationId) {
      p.add(
        "stage.distribution.readers.organization",
        "is true but the stage has no organisation: set stage.organizationId, or set it to false and list readers.accountIds",
      );
    }
    if (d.publisher?.kind === "roles" && d.publisher.accountId && d.publisher.accountId !== registryAccount && !config.organizationId) {
      p.add(
        "stage.distribution.publisher.accountId",
        `CI roles in account ${d.publisher.accountId} (not the registry's ${registryAccount}) need the organisation for the trust condition: set stage.organizationId`,
      );
    }
    if (
      d.publisher?.kind === "github" &&
      /:iam::\d{12}:/.test(d.publisher.oidcProviderArn) &&
      d.publisher.oidcProviderArn.split(":")[4] !== registryAccount
    ) {
      p.add(
        "stage.distribution.publisher.github.oidcProviderArn",
        `is in account ${d.publisher.oidcProviderArn.split(":")[4]}, but the publisher role lives with the registry in account ${registryAccount}; use that account's GitHub OIDC provider`,
      );
    }
  }

  if (ci.enabled) {
    const ids = new Set([config.accounts.inference.id, config.accounts.telemetry.id, ...config.accounts.workloads.map((w) => w.id)]);
    if (ids.size > 1 && !config.organizationId) {
      p.add(
        "stage.organizationId",
        `is required with stage.cicd across ${ids.size} accounts: the CI roles of the other accounts trust the inference account's roles only inside the organisation (aws:PrincipalOrgID)`,
      );
    }
    if (ci.release && !ci.release.codeArtifact && !d.enabled) {
      p.add(
        "stage.cicd.release",
        "needs a registry to publish to: enable stage.distribution, or set stage.cicd.release.codeArtifact (domain, repository, packageName)",
      );
    }
    const oidc = ci.github?.existingOidcProviderArn;
    // CI signs in to the inference account; its roles can trust only that account's provider.
    if (oidc && oidc.split(":")[4] !== config.accounts.inference.id) {
      p.add(
        "stage.cicd.github.existingOidcProviderArn",
        `is in account ${oidc.split(":")[4]}, but the CI roles are created in the inference account ${config.accounts.inference.id}; use that account's token.actions.githubusercontent.com provider or remove the key to create one`,
      );
    }
    const kmsRegion = ci.stateBackend?.kmsKeyArn?.split(":")[3];
    if (kmsRegion && !isAwsRegion(kmsRegion)) p.add("stage.cicd.stateBackend.kmsKeyArn", `names the Region ${regionProblem(kmsRegion)}`);
    ci.additionalRegions.forEach((region, i) => {
      if (REGION.test(region) && !isAwsRegion(region)) p.add(`stage.cicd.additionalRegions[${i}]`, regionProblem(region));
    });
  }
}
