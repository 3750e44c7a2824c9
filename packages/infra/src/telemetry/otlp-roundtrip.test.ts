/**
 * OTLP round trip on this machine. The OpenTelemetry JS SDK emits Claude Code's metrics (names,
 * attributes, delta temporality, http/protobuf, the bearer token `otelHeadersHelper` supplies) to a
 * local receiver on 127.0.0.1 that does what the collector's `oidc` authenticator does (verifies the
 * token's signature, issuer and audience with jose, takes the email claim as subject). The request is
 * decoded with the OTLP protobuf definitions, then run through the *generated* collector config
 * (parsed back from YAML): filter, identity deletes and inserts, EMF metric declarations. The series
 * that come out must cover every collector series the dashboard draws, and carry the identity from the
 * token, never the one the client claimed. (No collector binary exists here; this checks our config's
 * rules on real SDK output, not the collector's code.)
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { metrics as otelApi } from "@opentelemetry/api";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, createLocalJWKSet, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { arr, at, obj } from "../testing";
import { collectorConfig, parseCollectorConfig, renderCollectorConfig, type CollectorConfig } from "./collector-config";
import { dashboardBody, metricReferences } from "./dashboard";
import { ATTR, CC, namespaces, SPOOFABLE_ATTRIBUTES } from "./metrics";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const root = require("otlp-legacy/build/src/generated/root.js");
const ExportMetricsServiceRequest = root.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

const ISSUER = "https://idp.example.test/oauth2/default";
const CLIENT_ID = "0oa1pilotclientid";
const NS = namespaces("ccb-pilot");

type Attrs = Record<string, string>;
interface Point {
  metric: string;
  resource: Attrs;
  attributes: Attrs;
  value: number;
  temporality: string;
}
interface Received {
  claims: JWTPayload;
  points: Point[];
}

const str = (kv: unknown): Attrs =>
  Object.fromEntries(
    arr(kv).map((a) => {
      const v = obj(at(a, "value"));
      return [String(at(a, "key")), String(v.stringValue ?? v.intValue ?? v.doubleValue ?? v.boolValue ?? "")];
    }),
  );

/** One entry of an attributes or resource processor's list, as the rendered config has it. */
interface AttributeAction {
  readonly key: string;
  readonly action: string;
  readonly value?: unknown;
  readonly from_context?: string;
}
const attributeActions = (processor: unknown, list: "actions" | "attributes"): AttributeAction[] =>
  arr(at(processor, list)).map((a) => {
    const from = at(a, "from_context");
    return {
      key: String(at(a, "key")),
      action: String(at(a, "action")),
      value: at(a, "value"),
      ...(typeof from === "string" ? { from_context: from } : {}),
    };
  });

let server: Server;
let url: string;
let keys: Awaited<ReturnType<typeof generateKeyPair>>;
let jwks: ReturnType<typeof createLocalJWKSet>;
const received: Received[] = [];
const rejected: number[] = [];

beforeAll(async () => {
  keys = await generateKeyPair("RS256");
  jwks = createLocalJWKSet({ keys: [{ ...(await exportJWK(keys.publicKey)), kid: "k1", alg: "RS256" }] });
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", async () => {
      try {
        if (req.url !== "/v1/metrics" || req.headers["content-type"] !== "application/x-protobuf")
          throw new Error(`unexpected ${req.url} ${req.headers["content-type"]}`);
        const token = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""))?.[1];
        if (!token) throw Object.assign(new Error("no token"), { status: 401 });
        // What the oidc authenticator checks: signature, iss, aud, exp; the username claim must exist.
        const { payload } = await jwtVerify(token, jwks, { issuer: ISSUER, audience: CLIENT_ID }).catch(() => {
          throw Object.assign(new Error("bad token"), { status: 401 });
        });
        if (typeof payload.email !== "string") throw Object.assign(new Error("no email claim"), { status: 401 });
        const decoded = ExportMetricsServiceRequest.toObject(ExportMetricsServiceRequest.decode(Buffer.concat(chunks)), {
          longs: String,
          enums: String,
          defaults: false,
        });
        const points: Point[] = [];
        for (const rm of decoded.resourceMetrics ?? []) {
          const resource = str(rm.resource?.attributes);
          for (const sm of rm.scopeMetrics ?? []) {
            for (const m of sm.metrics ?? []) {
              for (const dp of m.sum?.dataPoints ?? []) {
                points.push({
                  metric: m.name,
                  resource,
                  attributes: str(dp.attributes),
                  value: Number(dp.asInt ?? dp.asDouble ?? 0),
                  temporality: String(m.sum.aggregationTemporality),
                });
              }
            }
          }
        }
        received.push({ claims: payload, points });
        res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
      } catch (e) {
        const status = (e as { status?: number }).status ?? 400;
        rejected.push(status);
        res.writeHead(status).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/metrics`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const token = (claims: JWTPayload, issuer = ISSUER) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .setIssuer(issuer)
    .setAudience(CLIENT_ID)
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(keys.privateKey);

/** Emits a Claude Code session's worth of metrics the way Claude Code does (delta, http/protobuf, bearer header). */
async function emit(bearer: string, spoof: Attrs = {}): Promise<void> {
  const exporter = new OTLPMetricExporter({
    url,
    headers: { Authorization: `Bearer ${bearer}` },
    temporalityPreference: AggregationTemporality.DELTA,
  });
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
  // Claude Code's resource, plus what a user could add through OTEL_RESOURCE_ATTRIBUTES.
  const provider = new MeterProvider({
    resource: resourceFromAttributes({ "service.name": "claude-code", "service.version": "2.1.240", "os.type": "linux", ...spoof }),
    readers: [reader],
  });
  const meter = provider.getMeter("com.anthropic.claude_code", "2.1.240");
  const base = { "session.id": "5f0c3e1e-0000-4000-8000-000000000001", "user.id": "anon-install-id", "terminal.type": "vscode", ...spoof };
  const model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
  const tokens = meter.createCounter(CC.tokens, { unit: "tokens" });
  for (const [type, n] of [
    ["input", 1200],
    ["output", 800],
    ["cacheRead", 50_000],
    ["cacheCreation", 4_000],
  ] as const)
    tokens.add(n, { ...base, type, model, query_source: "main" });
  meter.createCounter(CC.cost, { unit: "USD" }).add(0.42, { ...base, model });
  const lines = meter.createCounter(CC.linesOfCode);
  lines.add(120, { ...base, type: "added", model });
  lines.add(30, { ...base, type: "removed", model });
  meter.createCounter(CC.sessions).add(1, { ...base, start_type: "fresh" });
  meter.createCounter(CC.commits).add(2, base);
  meter.createCounter(CC.pullRequests).add(1, base);
  const time = meter.createCounter(CC.activeTime, { unit: "s" });
  time.add(900, { ...base, type: "user" });
  time.add(1500, { ...base, type: "cli" });
  const edits = meter.createCounter(CC.editDecisions);
  edits.add(5, { ...base, tool_name: "Edit", decision: "accept", source: "user_temporary", language: "TypeScript" });
  edits.add(1, { ...base, tool_name: "Write", decision: "reject", source: "user_reject", language: "Python" });
  // Something that is not Claude Code's: the collector's filter must drop it.
  meter.createCounter("evil.injected.metric").add(1, base);
  await provider.forceFlush();
  await provider.shutdown();
  otelApi.disable();
}

// ---- The generated config, applied to decoded points ------------------------------------------------

interface Series {
  namespace: string;
  metric: string;
  dimensions: Attrs;
}

/** Applies the config's processors and EMF declarations (the parts that decide series and identity). */
function applyConfig(cfg: CollectorConfig, points: Point[], auth: Record<string, unknown>): Series[] {
  const keep = (name: string) => {
    const conditions = arr(at(cfg.processors["filter/claude-code"], "metrics", "metric")).map((c) =>
      /^not IsMatch\(name, "(.*)"\)$/.exec(String(c))![1]!.replace(/\\\\/g, "\\"),
    );
    return conditions.every((re) => new RegExp(re).test(name));
  };
  const context = (from: string) => (from === "auth.subject" ? auth.subject : from.startsWith("auth.") ? auth[from.slice(5)] : undefined);
  const out: Series[] = [];
  for (const p of points.filter((x) => keep(x.metric))) {
    const resource = { ...p.resource };
    for (const a of attributeActions(cfg.processors["resource/identity"], "attributes")) {
      if (a.action === "delete") delete resource[a.key];
      if (a.action === "upsert") resource[a.key] = String(a.value);
    }
    const attrs = { ...p.attributes };
    for (const a of attributeActions(cfg.processors["attributes/identity"], "actions")) {
      if (a.action === "delete") delete attrs[a.key];
      if (a.action === "insert" && attrs[a.key] === undefined) {
        const v = a.from_context !== undefined ? context(a.from_context) : a.value;
        if (typeof v === "string") attrs[a.key] = v;
      }
    }
    const emf = obj(cfg.exporters.awsemf);
    // resource_to_telemetry_conversion is off: only data point attributes can become dimensions.
    expect(at(emf, "resource_to_telemetry_conversion", "enabled")).toBe(false);
    for (const decl of arr(emf.metric_declarations)) {
      if (!arr(at(decl, "metric_name_selectors")).some((s) => new RegExp(String(s)).test(p.metric))) continue;
      for (const set of arr(at(decl, "dimensions")).map((d) => arr(d).map(String))) {
        if (set.every((d) => attrs[d] !== undefined))
          out.push({ namespace: String(emf.namespace), metric: p.metric, dimensions: Object.fromEntries(set.map((d) => [d, attrs[d]!])) });
      }
    }
  }
  return out;
}

const CONFIG = parseCollectorConfig(
  renderCollectorConfig(
    collectorConfig({
      region: "us-east-1",
      stage: "pilot",
      issuerUrl: ISSUER,
      audience: CLIENT_ID,
      emailClaim: "email",
      attributeClaims: { department: "department", team: "team", costCenter: "cost_center" },
      namespace: NS.collector,
      metricsLogGroup: "/ccb-pilot/telemetry/emf",
      bucket: "raw",
      memoryMiB: 1024,
    }),
  ),
);

describe("OTLP round trip: Claude Code's metrics through the generated collector config", () => {
  it("the SDK's http/protobuf export arrives with the bearer token and decodes to Claude Code's metrics, delta", async () => {
    received.length = 0;
    await emit(
      await token({ email: "alice@example.com", department: "engineering", team: "platform", cost_center: "CC-1001", sub: "00u1alice" }),
    );
    expect(received).toHaveLength(1);
    const names = new Set(received[0]!.points.map((p) => p.metric));
    for (const m of Object.values(CC)) expect(names).toContain(m);
    expect(received[0]!.points.every((p) => p.temporality === "AGGREGATION_TEMPORALITY_DELTA")).toBe(true);
    expect(received[0]!.points.find((p) => p.metric === CC.tokens && p.attributes.type === "cacheRead")!.value).toBe(50_000);
  });

  it("produces every collector series the dashboard draws, with the identity from the token", async () => {
    received.length = 0;
    await emit(await token({ email: "alice@example.com", department: "engineering", team: "platform", cost_center: "CC-1001" }));
    const { claims, points } = received[0]!;
    const series = applyConfig(CONFIG, points, { subject: claims.email, ...claims });
    const refs = metricReferences(dashboardBody({ stage: "pilot", region: "us-east-1", namespaces: NS, bedrockModelIds: ["m"] })).filter(
      (r) => r.namespace === NS.collector,
    );
    expect(refs.length).toBeGreaterThan(15);
    for (const r of refs) {
      const match = series.filter(
        (s) =>
          s.metric === r.metric &&
          Object.keys(s.dimensions).sort().join() === [...r.dimensions].sort().join() &&
          Object.entries(r.dimensionValues).every(([k, v]) => s.dimensions[k] === v),
      );
      expect(match.length, `${r.widget}: ${r.metric} [${r.dimensions.join(", ")}] ${JSON.stringify(r.dimensionValues)}`).toBeGreaterThan(0);
    }
    const perUser = series.filter((s) => s.metric === CC.tokens && s.dimensions[ATTR.email] !== undefined);
    expect(perUser.map((s) => s.dimensions)).toContainEqual({
      type: "cacheRead",
      "user.email": "alice@example.com",
      model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    });
    expect(
      series.filter((s) => s.dimensions[ATTR.department] !== undefined).every((s) => s.dimensions[ATTR.department] === "engineering"),
    ).toBe(true);
    expect(series.some((s) => s.metric === "evil.injected.metric")).toBe(false);
    // Bounded cardinality: no session, install id or terminal in any dimension.
    expect(
      series
        .flatMap((s) => Object.keys(s.dimensions))
        .filter((d) => ["session.id", "user.id", "terminal.type", "query_source"].includes(d)),
    ).toEqual([]);
  });

  it("ignores identity the client asserts (resource or data point attributes) and uses the token's claims", async () => {
    received.length = 0;
    const spoof = {
      "user.email": "ceo@example.com",
      department: "finance",
      team: "exec",
      cost_center: "CC-0001",
      "x-user-email": "ceo@example.com",
    };
    await emit(await token({ email: "mallory@example.com" }), spoof);
    const { claims, points } = received[0]!;
    // The spoofed values did reach the collector...
    expect(points.some((p) => p.attributes["user.email"] === "ceo@example.com" && p.resource["user.email"] === "ceo@example.com")).toBe(
      true,
    );
    const series = applyConfig(CONFIG, points, { subject: claims.email, ...claims });
    const values = (k: string) => new Set(series.map((s) => s.dimensions[k]).filter((v) => v !== undefined));
    // ...and none survives: email from the token, organisational claims the IdP did not send become `unspecified`.
    expect(values(ATTR.email)).toEqual(new Set(["mallory@example.com"]));
    expect(values(ATTR.department)).toEqual(new Set(["unspecified"]));
    expect(values(ATTR.team)).toEqual(new Set(["unspecified"]));
    expect(values(ATTR.costCenter)).toEqual(new Set(["unspecified"]));
    for (const key of SPOOFABLE_ATTRIBUTES)
      expect(series.every((s) => s.dimensions[key] === undefined || !Object.values(spoof).includes(s.dimensions[key]!))).toBe(true);
  });

  it("refuses exports without a valid token: none, wrong issuer, or no email claim", async () => {
    received.length = 0;
    rejected.length = 0;
    await emit("not-a-jwt");
    await emit(await token({ email: "alice@example.com" }, "https://evil.example.test"));
    await emit(await token({ sub: "00u1alice" }));
    expect(received).toHaveLength(0);
    expect(rejected).toEqual([401, 401, 401]);
  });
});
