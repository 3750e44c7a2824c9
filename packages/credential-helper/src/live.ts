/**
 * `doctor --live` (the whole chain, for real) and what `doctor` reads from the sign-in token about the
 * AWS side of the identity. Loaded by `doctor` only; the Bedrock runtime client only by `--live`.
 */
import { modelsForTeam, type StageSettings } from "@ccb/contracts";
import type { CachedIdToken } from "./cache.js";
import type { Check } from "./check.js";
import { toHelperError } from "./errors.js";
import type { AwsCredentials } from "./federation.js";
import type { Deps } from "./io.js";
import { bedrock } from "./lazy.js";
import { headersFor } from "./warm.js";

/**
 * The `team` session tag the IdP passes to STS in the `https://aws.amazon.com/tags` claim
 * (`{"principal_tags": {"team": ["platform"]}}`; AWS also accepts a plain string), or undefined. The
 * token is the cached one, already verified at sign-in; this only decodes its payload.
 */
export function sessionTeamTag(idToken: string): string | undefined {
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(Buffer.from(idToken.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const tags = payload["https://aws.amazon.com/tags"] as { principal_tags?: Record<string, unknown> } | undefined;
  const team = tags?.principal_tags?.team;
  if (typeof team === "string" && team) return team;
  if (Array.isArray(team) && typeof team[0] === "string" && team[0]) return team[0];
  return undefined;
}

/**
 * `doctor --live`: the whole chain with the developer's own identity, one step after the other, each
 * `ok` or `FAIL` with its fix. A step that cannot run because an earlier one failed is not shown.
 *   sign-in (the cached token, a refresh, or the browser) → STS (fresh credentials, not cached) →
 *   a 1-token Bedrock Converse call to the model Claude Code will use (the team's profile, else the
 *   stage's primary model) → the quota service's answer → one OTLP metric to the collector.
 */
export async function liveChecks(d: Deps, s: StageSettings): Promise<Check[]> {
  if (s.federation.mode === "identity-center") {
    return [
      {
        name: "live: sign-in",
        ok: "warn",
        detail: "this stage signs in through IAM Identity Center; the live check covers this helper's own sign-in only",
        fix: `run \`aws sts get-caller-identity --profile ${s.awsProfile}\``,
      },
    ];
  }
  const checks: Check[] = [];
  const failed = (name: string, e: unknown): Check[] => {
    const err = toHelperError(e);
    checks.push({ name, ok: false, detail: err.message, fix: `${err.fix} [${err.code}]` });
    return checks;
  };
  const [{ CredentialResolver, loginTimeoutMs }, { isHeadless }] = await Promise.all([import("./credentials.js"), import("./browser.js")]);
  const resolver = new CredentialResolver(d, s, { allowBrowser: !isHeadless(d.env, d.platform), loginTimeoutMs: loginTimeoutMs(d.env) });
  let tokens: CachedIdToken;
  try {
    tokens = await resolver.tokens(!isHeadless(d.env, d.platform));
    checks.push({
      name: "live: sign-in",
      ok: true,
      detail: `signed in as ${tokens.identity.email}${tokens.identity.team ? ` (team ${tokens.identity.team})` : ""}`,
    });
  } catch (e) {
    return failed("live: sign-in", e);
  }

  let creds: AwsCredentials;
  try {
    const { sdkFederation } = await import("./federation.js");
    const federation = sdkFederation(d);
    if (s.federation.mode === "direct") {
      const { roleSessionName } = await import("./session-name.js");
      creds = await federation.assumeRoleWithWebIdentity({
        federation: s.federation,
        region: s.region,
        idToken: tokens.idToken,
        roleSessionName: roleSessionName(tokens.identity.email, tokens.identity.sub),
      });
    } else {
      creds = await federation.cognitoCredentials({ federation: s.federation, idToken: tokens.idToken });
    }
    checks.push({ name: "live: AWS credentials", ok: true, detail: `${creds.principal ?? "credentials"} until ${creds.expiration}` });
  } catch (e) {
    return failed("live: AWS credentials", e);
  }

  checks.push(await bedrockCheck(d, s, tokens, creds));
  if (s.quota) checks.push(await quotaCheck(d, s, tokens));
  if (s.telemetry) checks.push(await otlpCheck(d, s, tokens));
  return checks;
}

/** Why Bedrock says AccessDenied, most likely first. */
export function accessDeniedFix(modelId: string, region: string, team: string | undefined, s: StageSettings): string {
  const causes = [
    `model access for ${modelId} is not enabled in the inference account in ${region} (Bedrock console → Model access)`,
    `the model id's geography prefix (us., eu., apac., global.) does not serve ${region}`,
  ];
  if (modelId.includes(":application-inference-profile/"))
    causes.push(
      `the profile belongs to another team than your session's team tag${team ? ` (${team})` : ""}${s.restrictTeamProfiles ? ", and this stage grants team profiles only to that team" : ""}`,
    );
  return `tell your platform team, naming the model and Region; likely causes: ${causes.join("; or ")}`;
}

async function bedrockCheck(d: Deps, s: StageSettings, tokens: CachedIdToken, creds: AwsCredentials): Promise<Check> {
  const name = "live: Bedrock";
  const modelId = modelsForTeam(s, tokens.identity.team).primary;
  const [
    { BedrockRuntimeClient, ConverseCommand },
    { endpointFor },
    { sdkRequestHandler, serviceUrl },
    { currentStageCaBundle, networkFailure },
  ] = await Promise.all([bedrock(), import("./federation.js"), import("./net-client.js"), import("./network.js")]);
  const endpoint = endpointFor(d.env, "BEDROCK_RUNTIME");
  const url = serviceUrl(endpoint, "bedrock-runtime", s.region);
  const client = new BedrockRuntimeClient({
    region: s.region,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken },
    requestHandler: (await sdkRequestHandler(d.env, currentStageCaBundle(), url)) as never,
    maxAttempts: 1,
    ...(endpoint ? { endpoint } : {}),
  });
  try {
    const out = await client.send(
      new ConverseCommand({
        modelId,
        messages: [{ role: "user", content: [{ text: "Reply with OK." }] }],
        inferenceConfig: { maxTokens: 1 },
      }),
      { abortSignal: AbortSignal.timeout(60_000) },
    );
    return {
      name,
      ok: true,
      detail: `${modelId} in ${s.region} answered (stop reason ${out.stopReason ?? "?"}, ${out.usage?.inputTokens ?? "?"} input and ${out.usage?.outputTokens ?? "?"} output tokens)`,
    };
  } catch (e) {
    const err = e as { name?: string; message?: string };
    const net = networkFailure(e, url, d.env, "Amazon Bedrock");
    if (net) return { name, ok: false, detail: net.message, fix: net.fix };
    const what = `Bedrock refused ${modelId} in ${s.region} (${err.name ?? "Error"}: ${err.message ?? ""})`;
    switch (err.name) {
      case "AccessDeniedException":
        return { name, ok: false, detail: what, fix: accessDeniedFix(modelId, s.region, tokens.identity.team, s) };
      case "ValidationException":
      case "ResourceNotFoundException":
        return {
          name,
          ok: false,
          detail: what,
          fix: `tell your platform team: the stage's model id ${modelId} is not usable in ${s.region} (wrong geography prefix, retired model, or a model that needs an inference profile)`,
        };
      case "ThrottlingException":
      case "ServiceQuotaExceededException":
        return {
          name,
          ok: "warn",
          detail: what,
          fix: "retry later; if it persists, tell your platform team (the account's Bedrock quotas are too low)",
        };
      default:
        return { name, ok: false, detail: what, fix: "retry; if it persists, tell your platform team" };
    }
  } finally {
    client.destroy();
  }
}

async function quotaCheck(d: Deps, s: StageSettings, tokens: CachedIdToken): Promise<Check> {
  const name = "live: quota";
  const { checkQuota } = await import("./quota.js");
  try {
    const state = await checkQuota({ ...pick(d), log: { ...d.log, warn: () => undefined } }, s.quota!, tokens.idToken);
    if (state.outcome === "unavailable")
      return {
        name,
        ok: "warn",
        detail: `the quota service ${state.reason ?? "is unavailable"}; this stage fails open`,
        fix: "tell your platform team if it persists",
      };
    const usage = state.usage ? ` (usage: ${JSON.stringify(state.usage)})` : "";
    return { name, ok: true, detail: `allowed${usage}` };
  } catch (e) {
    const err = toHelperError(e);
    return { name, ok: false, detail: err.message, fix: err.fix };
  }
}

const pick = (d: Deps) => ({ fetch: d.fetch, now: d.now, env: d.env });

/** One OTLP/JSON gauge (`claude_bedrock.doctor.live`), with the headers `otel-headers` gives Claude Code. */
async function otlpCheck(d: Deps, s: StageSettings, tokens: CachedIdToken): Promise<Check> {
  const name = "live: telemetry";
  const url = `${s.telemetry!.endpoint.replace(/\/$/, "")}/v1/metrics`;
  const now = `${BigInt(d.now()) * 1_000_000n}`;
  // OTLP/HTTP collectors accept JSON as well as protobuf on the same path.
  const body = {
    resourceMetrics: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "claude-bedrock-doctor" } }] },
        scopeMetrics: [
          {
            scope: { name: "claude-bedrock" },
            metrics: [{ name: "claude_bedrock.doctor.live", unit: "1", gauge: { dataPoints: [{ asInt: "1", timeUnixNano: now }] } }],
          },
        ],
      },
    ],
  };
  try {
    const res = await d.fetch(url, {
      method: "POST",
      headers: { ...headersFor(tokens), "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.ok) return { name, ok: true, detail: `the collector accepted one metric at ${url} (HTTP ${res.status})` };
    if (res.status === 401 || res.status === 403)
      return {
        name,
        ok: false,
        detail: `the collector refused your sign-in token at ${url} (HTTP ${res.status})`,
        fix: "tell your platform team: the collector must accept id_tokens of this identity provider and client id",
      };
    return { name, ok: false, detail: `the collector answered HTTP ${res.status} at ${url}`, fix: "tell your platform team" };
  } catch (e) {
    const { networkFailure } = await import("./network.js");
    const net = networkFailure(e, url, d.env, "the collector");
    return {
      name,
      ok: false,
      detail: net ? net.message : `cannot reach the collector at ${url} (${(e as Error).message})`,
      fix: net ? net.fix : "check your network, proxy (HTTPS_PROXY, NO_PROXY) or VPN",
    };
  }
}
