import { describe, expect, it } from "vitest";
import { arr, at, obj } from "../testing";
import { ADOT_0_45_1, CONTRIB_0_136_0, distributionOf, imageVersionProblems } from "./components";
import {
  collectorConfig,
  eventFilter,
  exactMetricRegex,
  parseCollectorConfig,
  renderCollectorConfig,
  validateCollectorConfig,
  type CollectorConfigOptions,
} from "./collector-config";
import { ATTR, CLAUDE_CODE_METRICS, EMF_METRICS, IDENTITY_ATTRIBUTES, SPOOFABLE_ATTRIBUTES, UNSPECIFIED } from "./metrics";

export const OPTIONS: CollectorConfigOptions = {
  region: "us-east-1",
  stage: "pilot",
  issuerUrl: "https://example.okta.com/oauth2/default",
  audience: "0oa1pilotclientid",
  emailClaim: "email",
  attributeClaims: { department: "department", team: "team", costCenter: "cost_center" },
  namespace: "ClaudeCode/ccb-pilot",
  metricsLogGroup: "/ccb-pilot/telemetry/emf",
  eventsLogGroup: "/ccb-pilot/telemetry/events",
  bucket: "ccb-pilot-telemetry-raw",
  memoryMiB: 1024,
};

const roundTrip = (o: CollectorConfigOptions = OPTIONS) => parseCollectorConfig(renderCollectorConfig(collectorConfig(o)));

describe("collector config", () => {
  it("round-trips through YAML unchanged", () => {
    const cfg = collectorConfig(OPTIONS);
    expect(roundTrip()).toEqual(JSON.parse(JSON.stringify(cfg)));
  });

  it("is valid for the pinned contrib image: pipelines reference defined components, all components exist in the image", () => {
    expect(validateCollectorConfig(roundTrip(), CONTRIB_0_136_0)).toEqual([]);
    expect(validateCollectorConfig(roundTrip({ ...OPTIONS, eventsLogGroup: undefined }), CONTRIB_0_136_0)).toEqual([]);
  });

  it("is refused for the ADOT image, naming what ADOT lacks (no oidc authenticator, no awss3 exporter)", () => {
    const problems = validateCollectorConfig(roundTrip(), ADOT_0_45_1);
    expect(problems).toContain('extensions.oidc: "oidc" is not in public.ecr.aws/aws-observability/aws-otel-collector:v0.45.1');
    expect(problems).toContain('exporters.awss3/metrics: "awss3" is not in public.ecr.aws/aws-observability/aws-otel-collector:v0.45.1');
  });

  it("refuses contrib images too old for token claims in the identity mapping", () => {
    expect(imageVersionProblems("otel/opentelemetry-collector-contrib:0.120.0")).toEqual([
      "otel/opentelemetry-collector-contrib:0.120.0 is older than 0.133.0: its oidc authenticator cannot expose token claims (auth.<claim>) to the identity mapping",
    ]);
    expect(imageVersionProblems("otel/opentelemetry-collector-contrib:0.133.0")).toEqual([]);
    expect(imageVersionProblems("otel/opentelemetry-collector-contrib:1.2.0")).toEqual([]);
  });

  it("maps images to their pinned component lists", () => {
    expect(distributionOf("otel/opentelemetry-collector-contrib:0.136.0")).toBe(CONTRIB_0_136_0);
    expect(distributionOf("ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib:0.136.0")).toBe(
      CONTRIB_0_136_0,
    );
    expect(distributionOf("public.ecr.aws/aws-observability/aws-otel-collector:v0.45.1")).toBe(ADOT_0_45_1);
    expect(distributionOf("example.com/my-collector:1")).toBeUndefined();
  });

  it("authenticates the OTLP receiver with the stage's issuer and audience; the email claim is the subject", () => {
    const cfg = roundTrip();
    expect(cfg.extensions.oidc).toEqual({
      providers: [{ issuer_url: OPTIONS.issuerUrl, audience: OPTIONS.audience, username_claim: "email" }],
    });
    expect(at(cfg.receivers.otlp, "protocols", "http", "auth")).toEqual({ authenticator: "oidc" });
    expect(Object.keys(obj(at(cfg.receivers.otlp, "protocols")))).toEqual(["http"]);
    expect(cfg.service.extensions).toContain("oidc");
  });

  it("takes identity from the validated token only: client keys are deleted before the token's claims are inserted", () => {
    const actions = arr(at(roundTrip().processors["attributes/identity"], "actions")).map(obj);
    for (const key of SPOOFABLE_ATTRIBUTES) {
      const del = actions.findIndex((a) => a.key === key && a.action === "delete");
      expect(del, key).toBeGreaterThanOrEqual(0);
      const firstWrite = actions.findIndex((a) => a.key === key && a.action !== "delete");
      if (firstWrite >= 0) expect(del).toBeLessThan(firstWrite);
    }
    expect(actions).toContainEqual({ key: ATTR.email, action: "insert", from_context: "auth.subject" });
    expect(actions).toContainEqual({ key: ATTR.department, action: "insert", from_context: "auth.department" });
    expect(actions).toContainEqual({ key: ATTR.team, action: "insert", from_context: "auth.team" });
    expect(actions).toContainEqual({ key: ATTR.costCenter, action: "insert", from_context: "auth.cost_center" });
    // Never from headers a client controls.
    expect(actions.filter((a) => String(a.from_context ?? "").startsWith("metadata."))).toEqual([]);
    // The email has no default: without the claim the request is refused by the authenticator.
    expect(actions.filter((a) => a.key === ATTR.email && a.value !== undefined)).toEqual([]);
    const resource = arr(at(roundTrip().processors["resource/identity"], "attributes"));
    for (const key of IDENTITY_ATTRIBUTES) expect(resource).toContainEqual({ key, action: "delete" });
  });

  it("covers every configured claim, and falls back to `unspecified` for claims the IdP does not send", () => {
    const cfg = roundTrip({ ...OPTIONS, attributeClaims: { team: "groups_team" } });
    const actions = arr(at(cfg.processors["attributes/identity"], "actions")).map(obj);
    expect(actions).toContainEqual({ key: ATTR.team, action: "insert", from_context: "auth.groups_team" });
    expect(actions.filter((a) => a.key === ATTR.department && a.action === "insert")).toEqual([
      { key: ATTR.department, action: "insert", value: UNSPECIFIED },
    ]);
    expect(validateCollectorConfig(cfg, CONTRIB_0_136_0)).toEqual([]);
  });

  it("declares an EMF dimension set for every Claude Code metric, with exact name selectors", () => {
    const emf = obj(roundTrip().exporters.awsemf);
    expect(emf.dimension_rollup_option).toBe("NoDimensionRollup");
    const selectors = arr(emf.metric_declarations).flatMap((d) => arr(at(d, "metric_name_selectors")));
    for (const m of CLAUDE_CODE_METRICS)
      expect(
        selectors.some((s) => new RegExp(String(s)).test(m)),
        m,
      ).toBe(true);
    // An exact selector does not match a longer name (no accidental metric capture).
    expect(new RegExp(exactMetricRegex("claude_code.token.usage")).test("claude_code.token.usageX")).toBe(false);
    // Bounded cardinality: no session or install ids as dimensions.
    const dims = arr(emf.metric_declarations).flatMap((d) => arr(at(d, "dimensions")).flatMap(arr));
    expect(dims).not.toContain("session.id");
    expect(dims).not.toContain("user.id");
    expect(dims.filter((d) => d === ATTR.email).length).toBe(
      EMF_METRICS.filter((m) => m.dimensionSets.some((s) => s.includes(ATTR.email))).length,
    );
  });

  it("writes raw data to S3 partitioned by date, gzip", () => {
    const s3 = at(roundTrip().exporters["awss3/metrics"], "s3uploader");
    expect(s3).toMatchObject({
      s3_bucket: OPTIONS.bucket,
      s3_prefix: "metrics",
      s3_partition_format: "year=%Y/month=%m/day=%d/hour=%H",
      compression: "gzip",
    });
  });

  it("keeps memory below the container limit", () => {
    const ml = obj(roundTrip().processors.memory_limiter);
    expect(ml.limit_mib).toBe(819);
    expect(Number(ml.limit_mib) + Number(ml.spike_limit_mib)).toBeLessThan(1024);
  });

  it("filters to Claude Code events with an OTTL condition over body or event.name", () => {
    expect(eventFilter()).toContain('IsMatch(body, "^claude_code\\\\.(tool_decision|tool_result|api_request|api_error)$")');
  });

  describe("schema check catches typos", () => {
    const base = () => JSON.parse(JSON.stringify(collectorConfig(OPTIONS)));
    it("a misspelt component in a pipeline", () => {
      const cfg = base();
      cfg.service.pipelines.metrics.processors[1] = "filter/claudecode";
      expect(validateCollectorConfig(cfg, CONTRIB_0_136_0)).toEqual(
        expect.arrayContaining(['service.pipelines.metrics.processors: "filter/claudecode" is not defined']),
      );
    });
    it("a misspelt key", () => {
      const cfg = base();
      cfg.exporters.awsemf.dimention_rollup_option = cfg.exporters.awsemf.dimension_rollup_option;
      expect(validateCollectorConfig(cfg, CONTRIB_0_136_0)).toContain('exporters.awsemf: unknown key "dimention_rollup_option"');
    });
    it("a component type the image does not have", () => {
      const cfg = base();
      cfg.exporters["awsemff"] = cfg.exporters.awsemf;
      cfg.service.pipelines.metrics.exporters.push("awsemff");
      expect(validateCollectorConfig(cfg, CONTRIB_0_136_0)).toContain(
        'exporters.awsemff: "awsemff" is not in otel/opentelemetry-collector-contrib:0.136.0',
      );
    });
    it("an unauthenticated receiver", () => {
      const cfg = base();
      delete cfg.receivers.otlp.protocols.http.auth;
      expect(validateCollectorConfig(cfg, CONTRIB_0_136_0).join()).toMatch(/no authenticator/);
    });
    it("identity mapping after batch (the request context is gone there)", () => {
      const cfg = base();
      cfg.service.pipelines.metrics.processors = [
        "memory_limiter",
        "filter/claude-code",
        "resource/identity",
        "batch",
        "attributes/identity",
      ];
      expect(validateCollectorConfig(cfg, CONTRIB_0_136_0).join()).toMatch(/must run before batch/);
    });
    it("an unknown attribute action and a context key outside metadata/auth", () => {
      const cfg = base();
      cfg.processors["attributes/identity"].actions.push(
        { key: "x", action: "upsertt", value: "1" },
        { key: "y", action: "insert", from_context: "headers.x" },
      );
      const problems = validateCollectorConfig(cfg, CONTRIB_0_136_0).join("\n");
      expect(problems).toMatch(/unknown action "upsertt"/);
      expect(problems).toMatch(/from_context "headers.x"/);
    });
    it("a defined but unused component", () => {
      const cfg = base();
      cfg.processors.transform = {};
      expect(validateCollectorConfig(cfg, CONTRIB_0_136_0)).toContain("processors.transform: defined but used by no pipeline");
    });
  });

  it("rejects bad options with the argument named", () => {
    expect(() => collectorConfig({ ...OPTIONS, issuerUrl: "http://idp/" })).toThrow(/`issuerUrl`/);
    expect(() => collectorConfig({ ...OPTIONS, audience: " " })).toThrow(/`audience`/);
    expect(() => collectorConfig({ ...OPTIONS, memoryMiB: 100 })).toThrow(/`memoryMiB`/);
  });
});
