/**
 * The telemetry area in both stages: on in the pilot (one account) and in prod (collector in the
 * telemetry account, lifecycle check in the inference account), the helper gets the endpoint, config
 * mistakes are reported with their keys.
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { rules, telemetry } from "@ccb/infra";
import { arr, at, obj } from "@ccb/infra/inventory";
import { StageConfigError } from "./config/problems";
import { parseStageConfig } from "./config/stage-config";
import { edit, put, rawStage, runStage, type RawStage, type StageRun } from "./testing";

const runs: Record<string, Promise<StageRun>> = {};
const run = (stage: "pilot" | "prod") => (runs[stage] ??= runStage(stage));

describe.each(["pilot", "prod"] as const)("telemetry in %s", (stage) => {
  const cfg = () => rawStage(stage);

  it("creates the collector service and the lifecycle check, and the stage passes every rule", async () => {
    const { recorder } = await run(stage);
    expect(recorder.byType("claude-code-bedrock:telemetry:TelemetryService").map((r) => r.name)).toEqual([`ccb-${stage}-telemetry`]);
    expect(recorder.byType("claude-code-bedrock:telemetry:ModelLifecycleCheck").map((r) => r.name)).toEqual([
      `ccb-${stage}-model-lifecycle`,
    ]);
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });

  it("puts the collector in the telemetry account and the lifecycle check in the inference account", async () => {
    const { recorder } = await run(stage);
    const accounts = at(cfg(), "accounts");
    const telemetryAccount = at(accounts, "telemetry", "id") ?? at(accounts, "inference", "id");
    for (const [type, name] of [
      ["aws:ecs/service:Service", `ccb-${stage}-telemetry-service`],
      ["aws:lb/loadBalancer:LoadBalancer", `ccb-${stage}-telemetry-alb`],
      ["aws:cloudwatch/dashboard:Dashboard", `ccb-${stage}-telemetry-dashboard`],
    ] as const) {
      expect(recorder.one(type, name).account, name).toBe(telemetryAccount);
    }
    expect(recorder.one("aws:lambda/function:Function", `ccb-${stage}-model-lifecycle-function`).account).toBe(
      at(accounts, "inference", "id"),
    );
  });

  it("validates the caller's token at the ALB with the stage's issuer and client id, HTTPS only", async () => {
    const { recorder } = await run(stage);
    const idp = at(cfg(), "identityProvider");
    const listeners = recorder.byType("aws:lb/listener:Listener");
    expect(listeners.map((l) => [l.inputs.port, l.inputs.protocol])).toEqual([[443, "HTTPS"]]);
    const jwt = obj(at(arr(listeners[0]!.inputs.defaultActions)[0], "jwtValidation"));
    expect(jwt.issuer).toBe(at(idp, "issuer"));
    expect(jwt.jwksEndpoint).toBe(`${at(idp, "issuer")}/v1/keys`);
    expect(jwt.additionalClaims).toEqual([{ name: "aud", format: "single-string", values: [at(idp, "clientId")] }]);
  });

  it("runs the configured image with a config valid for it, identity from the token's claims", async () => {
    const { recorder } = await run(stage);
    const c = at(cfg(), "telemetry", "collector");
    const td = recorder.one("aws:ecs/taskDefinition:TaskDefinition", `ccb-${stage}-telemetry-task`).inputs;
    expect([td.cpu, td.memory]).toEqual([String(at(c, "cpu")), String(at(c, "memoryMiB"))]);
    const [container] = JSON.parse(String(td.containerDefinitions));
    expect(container.image).toBe(at(c, "image"));
    const config = parse(container.environment[0].value);
    expect(telemetry.validateCollectorConfig(config, telemetry.distributionOf(String(at(c, "image")))!)).toEqual([]);
    const claims = at(cfg(), "identityProvider", "attributeClaims");
    const actions = config.processors["attributes/identity"].actions;
    expect(actions).toContainEqual({ key: "department", action: "insert", from_context: `auth.${at(claims, "department")}` });
    expect(actions).toContainEqual({ key: "cost_center", action: "insert", from_context: `auth.${at(claims, "costCenter")}` });
    expect(recorder.one("aws:appautoscaling/target:Target", `ccb-${stage}-telemetry-scaling`).inputs).toMatchObject({
      minCapacity: at(c, "minTasks"),
      maxCapacity: at(c, "maxTasks"),
    });
  });

  it("prices every team's application inference profile for cost and savings", async () => {
    const { recorder } = await run(stage);
    const prices = JSON.parse(
      String(
        at(
          recorder.one("aws:lambda/function:Function", `ccb-${stage}-telemetry-aggregator`).inputs,
          "environment",
          "variables",
          "PRICES_JSON",
        ),
      ),
    );
    const profiles = recorder.byType("aws:bedrock/inferenceProfile:InferenceProfile");
    expect(profiles.length).toBeGreaterThan(0);
    const aliases = Object.entries<{ input: number }>(prices.models)
      .map(([key, price]) => ({ key, ...price }))
      .filter((x) => x.key.includes(":application-inference-profile/"));
    expect(aliases).toHaveLength(profiles.length);
    const inferenceAccount = at(rawStage(stage), "accounts", "inference", "id");
    expect(aliases.every((x) => x.key.startsWith(`arn:aws:bedrock:us-east-1:${inferenceAccount}:`) && x.input > 0)).toBe(true);
  });

  it("gives the helper the collector endpoint with http/protobuf, and exports the dashboard", async () => {
    const { outputs } = await run(stage);
    const domain = at(cfg(), "telemetry", "domainName");
    expect(at(outputs.helperSettings, "telemetry")).toEqual({
      endpoint: `https://${domain}`,
      protocol: "http/protobuf",
      events: at(cfg(), "telemetry", "collector", "events") ?? true,
    });
    expect(outputs.telemetryEndpoint).toBe(`https://${domain}`);
    expect(outputs.telemetryDashboard).toBe(`ccb-${stage}-claude-code`);
    expect(outputs.telemetryMetricsNamespace).toBe(`ClaudeCode/ccb-${stage}`);
  });

  it("shows every alarm of the stage on the dashboard: inference, quotas and telemetry, each in its account", async () => {
    const { recorder } = await run(stage);
    const body = JSON.parse(
      String(recorder.one("aws:cloudwatch/dashboard:Dashboard", `ccb-${stage}-telemetry-dashboard`).inputs.dashboardBody),
    );
    const alarms = body.widgets.find((w: { type: string }) => w.type === "alarm").properties.alarms as string[];
    const accounts = at(rawStage(stage), "accounts");
    const all = recorder.byType("aws:cloudwatch/metricAlarm:MetricAlarm");
    expect(alarms).toHaveLength(all.length);
    expect(new Set(alarms).size).toBe(alarms.length);
    const byArea = (prefix: string) => all.filter((a) => a.name.startsWith(prefix));
    expect(byArea(`ccb-${stage}-quotas`).length).toBeGreaterThan(0);
    const telemetryAccount = at(accounts, "telemetry", "id") ?? at(accounts, "inference", "id");
    for (const account of new Set([at(accounts, "inference", "id"), telemetryAccount]))
      expect(alarms.filter((a) => a.startsWith(`arn:aws:cloudwatch:us-east-1:${account}:alarm:ccb-${stage}-`))).toHaveLength(
        all.filter((a) => a.account === account).length,
      );
    for (const name of [`ccb-${stage}-no-healthy-collector`, `ccb-${stage}-negative-cache-savings`])
      expect(alarms).toContain(`arn:aws:cloudwatch:us-east-1:${telemetryAccount}:alarm:${name}`);
  });
});

describe("telemetry differences between the stages", () => {
  it("prod runs across two NAT gateways with a logs endpoint; the pilot with one", async () => {
    expect((await run("prod")).recorder.byType("aws:ec2/natGateway:NatGateway")).toHaveLength(2);
    expect((await run("pilot")).recorder.byType("aws:ec2/natGateway:NatGateway")).toHaveLength(1);
    expect(
      (await run("prod")).recorder
        .byType("aws:ec2/vpcEndpoint:VpcEndpoint")
        .map((e) => e.inputs.vpcEndpointType)
        .sort(),
    ).toEqual(["Gateway", "Interface"]);
  });

  it("prod creates the collector-health and cache-savings alarms in the telemetry account, on a topic there the stage's addresses subscribe", async () => {
    const { recorder, outputs } = await run("prod");
    const cfg = rawStage("prod");
    const telemetryAccount = at(cfg, "accounts", "telemetry", "id");
    expect(telemetryAccount).not.toBe(at(cfg, "accounts", "inference", "id"));
    const alarms = recorder.byType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name.startsWith("ccb-prod-telemetry"));
    expect(alarms.map((a) => a.inputs.name).sort()).toEqual(["ccb-prod-negative-cache-savings", "ccb-prod-no-healthy-collector"]);
    const topic = recorder.one("aws:sns/topic:Topic", "ccb-prod-telemetry-alarms");
    expect(topic.account).toBe(telemetryAccount);
    expect(topic.inputs.kmsMasterKeyId).toMatch(new RegExp(`^arn:aws:kms:us-east-1:${telemetryAccount}:key/`));
    for (const a of alarms) {
      expect(a.account, a.name).toBe(telemetryAccount);
      expect(a.inputs.alarmActions, a.name).toEqual([outputs.telemetryAlarmTopicArn]);
    }
    expect(String(outputs.telemetryAlarmTopicArn)).toMatch(new RegExp(`^arn:aws:sns:us-east-1:${telemetryAccount}:`));
    const subs = recorder
      .byType("aws:sns/topicSubscription:TopicSubscription")
      .filter((s) => s.name.startsWith("ccb-prod-telemetry-alarms"));
    expect(subs.map((s) => s.inputs.endpoint)).toEqual(at(cfg, "inference", "alarms", "emails"));
    expect(arr(at(cfg, "inference", "alarms", "emails")).length).toBeGreaterThan(0);
    expect(outputs.telemetryAlarmNames).toEqual(["ccb-prod-no-healthy-collector", "ccb-prod-negative-cache-savings"]);
  });

  it("the pilot's telemetry alarms go to the stage topic (no topic of their own)", async () => {
    const { recorder, outputs } = await run("pilot");
    const alarms = recorder.byType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name.startsWith("ccb-pilot-telemetry"));
    expect(alarms).toHaveLength(2);
    for (const a of alarms) expect(a.inputs.alarmActions).toEqual([outputs.alarmTopicArn]);
    expect(recorder.byType("aws:sns/topic:Topic").filter((t) => t.name.startsWith("ccb-pilot-telemetry"))).toEqual([]);
    expect(outputs.telemetryAlarmTopicArn).toBeUndefined();
  });

  it("the pilot's alarms go to the stage topic; prod (telemetry in another account) shows Bedrock metrics cross-account", async () => {
    const pilot = (await run("pilot")).recorder;
    expect(pilot.byType("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.name.startsWith("ccb-pilot-telemetry")).length).toBe(2);
    const prod = (await run("prod")).recorder;
    const body = JSON.parse(String(prod.one("aws:cloudwatch/dashboard:Dashboard", "ccb-prod-telemetry-dashboard").inputs.dashboardBody));
    const bedrockRows = arr(body.widgets).flatMap((w) =>
      arr(at(w, "properties", "metrics"))
        .map(arr)
        .filter((m) => m[0] === "AWS/Bedrock"),
    );
    expect(bedrockRows.length).toBeGreaterThan(0);
    expect(bedrockRows.every((m) => at(m[m.length - 1], "accountId") === at(rawStage("prod"), "accounts", "inference", "id"))).toBe(true);
  });
});

describe("telemetry without the events pipeline", () => {
  it("tells the helper the collector takes no events (so setup writes OTEL_LOGS_EXPORTER=none)", async () => {
    const { recorder, outputs } = await runStage("pilot", (raw) => {
      edit(raw, "telemetry.collector", (v) => ({ ...v, events: false }));
    });
    const td = recorder.one("aws:ecs/taskDefinition:TaskDefinition", "ccb-pilot-telemetry-task").inputs;
    expect(parse(JSON.parse(String(td.containerDefinitions))[0].environment[0].value).service.pipelines.logs).toBeUndefined();
    expect(at(outputs.helperSettings, "telemetry")).toMatchObject({ protocol: "http/protobuf", events: false });
    expect(at((await run("pilot")).outputs.helperSettings, "telemetry", "events")).toBe(true);
  });
});

describe("cross-account metrics for the prod dashboard", () => {
  it("links the inference account's metrics to the telemetry account when turned on", async () => {
    const { recorder } = await runStage("prod", (raw) => {
      put(raw, "telemetry.crossAccountMetrics", true);
    });
    const accounts = at(rawStage("prod"), "accounts");
    expect(recorder.one("aws:oam/sink:Sink", "ccb-prod-cross-account-metrics-sink").account).toBe(at(accounts, "telemetry", "id"));
    expect(recorder.one("aws:oam/link:Link", "ccb-prod-cross-account-metrics-link-inference").account).toBe(
      at(accounts, "inference", "id"),
    );
    expect(rules.findingsOf(recorder.resources)).toEqual([]);
  });
});

describe("telemetry config validation", () => {
  const withTelemetry = (change: (t: RawStage) => void) => {
    const raw = rawStage("pilot");
    // The telemetry section itself is edited in place (edit hands over the object the stage holds).
    edit(raw, "telemetry", (t) => {
      change(t);
      return t;
    });
    return () => parseStageConfig("pilot", raw);
  };
  const problems = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      if (e instanceof StageConfigError) return e.problems.join("\n");
      throw e;
    }
    return "";
  };

  it("names each bad key and its fix", () => {
    const text = problems(
      withTelemetry((t) => {
        put(t, "domainName", "Not A Domain");
        put(t, "hostedZoneId", undefined);
        put(t, "scheme", "internal");
        put(t, "collector.image", "otel/opentelemetry-collector-contrib:latest");
        put(t, "aggregator.everyMinutes", 7);
        put(t, "logRetentionDays", 10);
      }),
    );
    expect(text).toMatch(/stage\.telemetry\.domainName: "Not A Domain" is not valid/);
    expect(text).toMatch(/stage\.telemetry\.certificateArn: set certificateArn .* or hostedZoneId/);
    expect(text).toMatch(/stage\.telemetry\.allowedCidrs: an internal endpoint should list/);
    expect(text).toMatch(/stage\.telemetry\.collector\.image: pin a version/);
    expect(text).toMatch(/stage\.telemetry\.aggregator\.everyMinutes: must divide an hour/);
    expect(text).toMatch(/stage\.telemetry\.logRetentionDays: 10 is not a CloudWatch retention/);
  });

  it("needs a week of log retention for the weekly aggregates", () => {
    expect(problems(withTelemetry((t) => put(t, "logRetentionDays", 5)))).toMatch(/stage\.telemetry\.logRetentionDays: must be at least 7/);
  });

  it("refuses the ADOT image with the reason", () => {
    const text = problems(withTelemetry((t) => put(t, "collector.image", "public.ecr.aws/aws-observability/aws-otel-collector:v0.45.1")));
    expect(text).toMatch(/stage\.telemetry\.collector\.image: the ADOT collector has no oidc authenticator/);
  });

  it("refuses a contrib version too old for token claims", () => {
    const text = problems(withTelemetry((t) => put(t, "collector.image", "otel/opentelemetry-collector-contrib:0.120.0")));
    expect(text).toMatch(/stage\.telemetry\.collector\.image: .* is older than 0\.133\.0.*use 0\.133\.0 or later/);
  });

  it("is off, and adds nothing, when disabled", () => {
    const cfg = withTelemetry((t) => put(t, "enabled", false))();
    expect(cfg.telemetry.enabled).toBe(false);
  });
});
