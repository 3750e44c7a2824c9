/**
 * The contract between a deployed stage and the credential helper.
 *
 * The stacks emit one `helperSettings` output of this shape; the distribution build packs it into the
 * helper artifact; the helper validates it again before use. One schema, no dependencies, so the helper's
 * hot path stays light and the infrastructure code cannot drift from what the helper reads.
 */

/** Bump only with a migration in the helper; the helper refuses versions it does not know. */
export const STAGE_SETTINGS_SCHEMA_VERSION = 1 as const;

export type FederationMode = "direct" | "cognito-identity-pool" | "identity-center";

/** Hosts the loopback redirect URI may name. */
export const REDIRECT_HOSTS = ["127.0.0.1", "localhost"] as const;
export type RedirectHost = (typeof REDIRECT_HOSTS)[number];

/** The redirect URI the helper sends and the IdP must have registered. */
export function redirectUri(idp: Pick<IdentityProviderSettings, "redirectPort" | "redirectPath" | "redirectHost">): string {
  return `http://${idp.redirectHost ?? "127.0.0.1"}:${idp.redirectPort}${idp.redirectPath}`;
}

export interface IdentityProviderSettings {
  /** The issuer exactly as the id_token's `iss` carries it (https; Auth0's ends with `/`, others do not). */
  readonly issuer: string;
  /** OAuth 2.0 public client id registered for the helper; the `aud` of the id_token. */
  readonly clientId: string;
  /** Scopes requested at sign-in. Must include `openid`; `offline_access` enables silent refresh. */
  readonly scopes: readonly string[];
  /** Loopback port registered as the redirect URI (`http://<redirectHost>:<port><path>`). */
  readonly redirectPort: number;
  /** Path of the registered redirect URI. */
  readonly redirectPath: string;
  /**
   * Host of the registered redirect URI; absent means `127.0.0.1`. `localhost` is for IdPs that accept
   * plain-http callbacks only for `http://localhost` (Amazon Cognito user pools). The helper listens on
   * loopback either way.
   */
  readonly redirectHost?: RedirectHost;
  /** Claim carrying the user's email (the attribute attribution and quotas key on). */
  readonly emailClaim: string;
  /** Claim carrying group membership, if the IdP sends one. */
  readonly groupsClaim?: string;
  /** Claims mapped to attribution headers (department, team, cost center). */
  readonly attributeClaims?: { readonly department?: string; readonly team?: string; readonly costCenter?: string };
}

export interface DirectFederationSettings {
  readonly mode: "direct";
  /** Role the helper assumes with `AssumeRoleWithWebIdentity`. */
  readonly roleArn: string;
  /** Requested session length, 900–43200 s, at most the role's maximum. */
  readonly sessionDurationSeconds: number;
}

export interface CognitoIdentityPoolSettings {
  readonly mode: "cognito-identity-pool";
  readonly identityPoolId: string;
  /** Region of the identity pool (the prefix of its id). */
  readonly identityPoolRegion: string;
  /** Authenticated role (informational: the enhanced flow picks it from the pool's role mapping). */
  readonly roleArn: string;
  /** The login key for the pool: the issuer host and path, without scheme. */
  readonly providerName: string;
}

export interface IdentityCenterSettings {
  readonly mode: "identity-center";
  readonly startUrl: string;
  readonly ssoRegion: string;
  readonly accountId: string;
  readonly roleName: string;
}

export type FederationSettings = DirectFederationSettings | CognitoIdentityPoolSettings | IdentityCenterSettings;

export interface ModelSettings {
  /** Model id, system inference profile id or application inference profile ARN for the main model. */
  readonly primary: string;
  /** The small, fast model Claude Code uses for background tasks (`ANTHROPIC_DEFAULT_HAIKU_MODEL`). */
  readonly fast: string;
  /** Optional `opus` alias target. */
  readonly opus?: string;
}

export interface TeamSettings {
  /** Team name as used in tags and group claims. */
  readonly name: string;
  /** Application inference profile ARNs of the team, by role; used instead of the stage's models. */
  readonly models: ModelSettings;
}

export interface TelemetrySettings {
  /** OTLP base endpoint (https), e.g. `https://otel.example.com`. */
  readonly endpoint: string;
  /** Only HTTP protocols carry `otelHeadersHelper` headers. */
  readonly protocol: "http/protobuf" | "http/json";
  /**
   * Whether the collector accepts Claude Code's events (OTLP logs, `/v1/logs`). When false the helper sets
   * `OTEL_LOGS_EXPORTER=none`. Absent means true (settings built before this field).
   */
  readonly events?: boolean;
  /**
   * The token endpoint of IAM Identity Center stages: `GET` signed with SigV4 returns a short-lived JWT
   * for the collector (`{"token", "expiresAt"}`), since IdC users have no id_token. Absent elsewhere.
   */
  readonly tokenUrl?: string;
}

export interface QuotaSettings {
  /** The quota check endpoint, called before credentials are issued. */
  readonly checkUrl: string;
  /** What the helper does when the endpoint cannot be reached: `open` issues credentials, `closed` refuses. */
  readonly failMode: "open" | "closed";
  /** Milliseconds the helper waits for the check. */
  readonly timeoutMs: number;
}

export interface DistributionSettings {
  /** npm registry URL of the internal registry. */
  readonly registryUrl: string;
  /** The package developers install, e.g. `@acme/claude-bedrock`. */
  readonly packageName: string;
}

export interface StageSettings {
  readonly schemaVersion: typeof STAGE_SETTINGS_SCHEMA_VERSION;
  /** Stage name (`pilot`, `prod`). */
  readonly stage: string;
  /** Display name of the organisation, shown by the helper. */
  readonly organization: string;
  /** Name of the profile the helper writes to `~/.aws/config`. */
  readonly awsProfile: string;
  /** Bedrock Region Claude Code calls (`AWS_REGION`). */
  readonly region: string;
  /**
   * The corporate OIDC IdP the helper signs in with. Absent only with `federation.mode: identity-center`
   * in a stage that has none: the AWS SDK's SSO profile signs developers in there, not the helper.
   */
  readonly identityProvider?: IdentityProviderSettings;
  readonly federation: FederationSettings;
  readonly models: ModelSettings;
  readonly teams: readonly TeamSettings[];
  readonly telemetry?: TelemetrySettings;
  readonly quota?: QuotaSettings;
  readonly distribution?: DistributionSettings;
  /**
   * A PEM file of extra root CAs the helper trusts for every call (a TLS-inspecting corporate proxy), in
   * addition to Node's roots and NODE_EXTRA_CA_CERTS. Absolute, or relative to the helper's own
   * directory (the distribution ships it next to the bundle).
   */
  readonly caBundle?: string;
  /**
   * The stage grants a team's inference profiles only to sessions whose `team` session tag is that team
   * (infra `restrictTeamProfiles`); the helper's `doctor` then treats a team claim / session tag mismatch as a failure.
   */
  readonly restrictTeamProfiles?: boolean;
}

/** A problem found in stage settings: the path of the bad key and what to do. */
export interface SettingsProblem {
  readonly path: string;
  readonly message: string;
}

export class StageSettingsError extends Error {
  readonly problems: readonly SettingsProblem[];
  constructor(problems: readonly SettingsProblem[], source = "stage settings") {
    super(`${source} are invalid:\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n")}`);
    this.name = "StageSettingsError";
    this.problems = problems;
  }
}

const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const PROFILE_ARN = /^arn:aws(?:-[a-z]+)*:bedrock:[a-z0-9-]+:\d{12}:application-inference-profile\/[a-z0-9]+$/;
const MODEL_ID = /^(?:(?:us|eu|apac|jp|au|us-gov|global)\.)?[a-z0-9-]+\.[a-z0-9.:-]+$/;
const REGION = /^[a-z]{2}(?:-gov)?-[a-z]+-\d$/;
const AWS_PROFILE = /^[A-Za-z0-9_.-]{1,64}$/;
const ACCOUNT_ID = /^\d{12}$/;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

class Checker {
  readonly problems: SettingsProblem[] = [];
  fail(path: string, message: string): void {
    this.problems.push({ path, message });
  }
  str(o: Obj, key: string, path: string, pattern?: RegExp, hint?: string): string | undefined {
    const v = o[key];
    if (typeof v !== "string" || v.length === 0) {
      this.fail(`${path}.${key}`, `is required and must be a non-empty string${hint ? ` (${hint})` : ""}`);
      return undefined;
    }
    if (pattern && !pattern.test(v)) this.fail(`${path}.${key}`, `"${v}" is not valid${hint ? `: expected ${hint}` : ""}`);
    return v;
  }
  optStr(o: Obj, key: string, path: string, pattern?: RegExp, hint?: string): void {
    if (o[key] !== undefined) this.str(o, key, path, pattern, hint);
  }
  int(o: Obj, key: string, path: string, min: number, max: number): void {
    const v = o[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      this.fail(`${path}.${key}`, `must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
    }
  }
  httpsUrl(o: Obj, key: string, path: string, allowLoopbackHttp: boolean): void {
    const v = this.str(o, key, path);
    if (v === undefined) return;
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      this.fail(`${path}.${key}`, `"${v}" is not a URL`);
      return;
    }
    const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
    if (url.protocol !== "https:" && !(allowLoopbackHttp && loopback && url.protocol === "http:")) {
      this.fail(`${path}.${key}`, `"${v}" must use https`);
    }
  }
  models(o: unknown, path: string): void {
    if (!isObj(o)) {
      this.fail(path, "is required: an object with `primary` and `fast` model ids");
      return;
    }
    const modelOrProfile = (key: string, optional: boolean) => {
      if (optional && o[key] === undefined) return;
      const v = this.str(o, key, path);
      if (v !== undefined && !MODEL_ID.test(v) && !PROFILE_ARN.test(v)) {
        this.fail(
          `${path}.${key}`,
          `"${v}" is neither a Bedrock model id, a cross-Region profile id nor an application inference profile ARN`,
        );
      }
    };
    modelOrProfile("primary", false);
    modelOrProfile("fast", false);
    modelOrProfile("opus", true);
  }
}

export interface ParseOptions {
  /** Allow `http://127.0.0.1` issuers and endpoints (tests and local development only). */
  readonly allowLoopbackHttp?: boolean;
  /** Named in error messages, e.g. the file the settings came from. */
  readonly source?: string;
}

/**
 * Validates untrusted input (a file, the bundled JSON) as stage settings.
 * Throws `StageSettingsError` listing every problem with its key path.
 */
export function parseStageSettings(input: unknown, options: ParseOptions = {}): StageSettings {
  const c = new Checker();
  const loop = options.allowLoopbackHttp ?? false;
  if (!isObj(input)) throw new StageSettingsError([{ path: "$", message: "must be a JSON object" }], options.source);
  if (input.schemaVersion !== STAGE_SETTINGS_SCHEMA_VERSION) {
    c.fail(
      "$.schemaVersion",
      `must be ${STAGE_SETTINGS_SCHEMA_VERSION} (got ${JSON.stringify(input.schemaVersion)}); update the helper or regenerate the settings`,
    );
  }
  c.str(input, "stage", "$", /^[a-z][a-z0-9-]{0,31}$/, "lower-case letters, digits and dashes");
  c.str(input, "organization", "$");
  c.str(input, "awsProfile", "$", AWS_PROFILE, "letters, digits, `_`, `.`, `-`");
  c.str(input, "region", "$", REGION, "an AWS Region such as us-east-1");

  const idp = input.identityProvider;
  const identityCenter = isObj(input.federation) && input.federation.mode === "identity-center";
  if (idp === undefined && identityCenter) {
    // IAM Identity Center stages without a corporate OIDC IdP: nothing here signs in with one.
  } else if (!isObj(idp)) c.fail("$.identityProvider", "is required (it may be left out only with federation.mode identity-center)");
  else {
    c.httpsUrl(idp, "issuer", "$.identityProvider", loop);
    if (typeof idp.issuer === "string" && (idp.issuer.endsWith("//") || idp.issuer.includes("/.well-known/"))) {
      c.fail("$.identityProvider.issuer", "must be the issuer exactly as tokens carry it in `iss`, not a discovery URL");
    }
    c.str(idp, "clientId", "$.identityProvider");
    if (!Array.isArray(idp.scopes) || !idp.scopes.every((s) => typeof s === "string") || !idp.scopes.includes("openid")) {
      c.fail("$.identityProvider.scopes", "must be a list of strings that includes `openid`");
    }
    c.int(idp, "redirectPort", "$.identityProvider", 1024, 65535);
    c.str(idp, "redirectPath", "$.identityProvider", /^\/[\w\-/]*$/, "a path starting with `/`");
    if (idp.redirectHost !== undefined && !(REDIRECT_HOSTS as readonly unknown[]).includes(idp.redirectHost)) {
      c.fail(
        "$.identityProvider.redirectHost",
        `must be ${REDIRECT_HOSTS.map((h) => `\`${h}\``).join(" or ")} (got ${JSON.stringify(idp.redirectHost)})`,
      );
    }
    c.str(idp, "emailClaim", "$.identityProvider");
    c.optStr(idp, "groupsClaim", "$.identityProvider");
    if (idp.attributeClaims !== undefined && !isObj(idp.attributeClaims)) c.fail("$.identityProvider.attributeClaims", "must be an object");
  }

  const fed = input.federation;
  if (!isObj(fed)) c.fail("$.federation", "is required");
  else if (fed.mode === "direct") {
    c.str(fed, "roleArn", "$.federation", ROLE_ARN, "an IAM role ARN");
    c.int(fed, "sessionDurationSeconds", "$.federation", 900, 43200);
  } else if (fed.mode === "cognito-identity-pool") {
    c.str(fed, "identityPoolId", "$.federation", /^[a-z]{2}(?:-gov)?-[a-z]+-\d:[0-9a-f-]{36}$/, "<region>:<uuid>");
    c.str(fed, "identityPoolRegion", "$.federation", REGION, "an AWS Region");
    c.str(fed, "roleArn", "$.federation", ROLE_ARN, "an IAM role ARN");
    c.str(fed, "providerName", "$.federation");
  } else if (fed.mode === "identity-center") {
    c.httpsUrl(fed, "startUrl", "$.federation", false);
    c.str(fed, "ssoRegion", "$.federation", REGION, "an AWS Region");
    c.str(fed, "accountId", "$.federation", ACCOUNT_ID, "12 digits");
    c.str(fed, "roleName", "$.federation");
  } else {
    c.fail("$.federation.mode", `must be one of direct, cognito-identity-pool, identity-center (got ${JSON.stringify(fed.mode)})`);
  }

  c.models(input.models, "$.models");
  if (!Array.isArray(input.teams)) c.fail("$.teams", "must be a list (may be empty)");
  else {
    input.teams.forEach((t, i) => {
      if (!isObj(t)) return c.fail(`$.teams[${i}]`, "must be an object");
      c.str(t, "name", `$.teams[${i}]`);
      c.models(t.models, `$.teams[${i}].models`);
    });
  }
  if (input.telemetry !== undefined) {
    const t = input.telemetry;
    if (!isObj(t)) c.fail("$.telemetry", "must be an object");
    else {
      c.httpsUrl(t, "endpoint", "$.telemetry", loop);
      if (t.protocol !== "http/protobuf" && t.protocol !== "http/json")
        c.fail("$.telemetry.protocol", "must be http/protobuf or http/json");
      if (t.events !== undefined && typeof t.events !== "boolean")
        c.fail("$.telemetry.events", `must be true or false (got ${JSON.stringify(t.events)})`);
      if (t.tokenUrl !== undefined) c.httpsUrl(t, "tokenUrl", "$.telemetry", loop);
    }
  }
  if (input.quota !== undefined) {
    const q = input.quota;
    if (!isObj(q)) c.fail("$.quota", "must be an object");
    else {
      c.httpsUrl(q, "checkUrl", "$.quota", loop);
      if (q.failMode !== "open" && q.failMode !== "closed") c.fail("$.quota.failMode", "must be `open` or `closed`");
      c.int(q, "timeoutMs", "$.quota", 100, 30000);
    }
  }
  if (input.distribution !== undefined) {
    const d = input.distribution;
    if (!isObj(d)) c.fail("$.distribution", "must be an object");
    else {
      c.httpsUrl(d, "registryUrl", "$.distribution", loop);
      c.str(d, "packageName", "$.distribution", /^@[a-z0-9-~][a-z0-9-._~]*\/[a-z0-9-~][a-z0-9-._~]*$/, "a scoped npm package name");
    }
  }
  if (input.caBundle !== undefined) c.str(input, "caBundle", "$", /\.(?:pem|crt|cer)$/i, "a path to a PEM file (.pem, .crt or .cer)");
  if (input.restrictTeamProfiles !== undefined && typeof input.restrictTeamProfiles !== "boolean")
    c.fail("$.restrictTeamProfiles", "must be true or false");
  if (c.problems.length > 0) throw new StageSettingsError(c.problems, options.source);
  return input as unknown as StageSettings;
}

/** The models a user gets: their team's profiles when the stage has the team, else the stage's models. */
export function modelsForTeam(settings: StageSettings, team: string | undefined): ModelSettings {
  const match = team === undefined ? undefined : settings.teams.find((t) => t.name === team);
  return match?.models ?? settings.models;
}
