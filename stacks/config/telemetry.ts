import { naming, storage, telemetry } from "@ccb/infra";
import type { ConfigProblems, Reader } from "./problems";

const { ACM_CERTIFICATE_ARN, DNS_NAME, HOSTED_ZONE_ID } = naming.patterns;

/** The `stage.telemetry` section. Off unless the stage enables it. */
export interface TelemetryConfig {
  readonly enabled: boolean;
  /** `internet-facing` (developers anywhere, token required) or `internal` (VPN / corporate network only). */
  readonly scheme: "internet-facing" | "internal";
  /** Networks that may reach the HTTPS listener. */
  readonly allowedCidrs: readonly string[];
  /** Host name of the collector endpoint (the certificate's name). */
  readonly domainName: string;
  readonly hostedZoneId?: string;
  readonly certificateArn?: string;
  readonly sslPolicy?: string;
  /** JWKS endpoint; required for a `generic` IdP, derived for the others. */
  readonly jwksUri?: string;
  readonly audienceFormat: "single-string" | "string-array";
  readonly collector: {
    readonly image: string;
    readonly cpu: number;
    readonly memoryMiB: number;
    readonly minTasks: number;
    readonly maxTasks: number;
    readonly architecture: "ARM64" | "X86_64";
    readonly events: boolean;
  };
  readonly network: {
    readonly cidrBlock?: string;
    readonly natGateways: number;
    readonly logsEndpoint: boolean;
    readonly existing?: {
      readonly vpcId: string;
      readonly cidrBlock: string;
      readonly publicSubnetIds: readonly string[];
      readonly privateSubnetIds: readonly string[];
    };
  };
  readonly logRetentionDays: number;
  readonly rawDataExpirationDays: number;
  readonly aggregator: { readonly everyMinutes: number; readonly leaderboardSize: number };
  readonly modelLifecycle: { readonly enabled: boolean; readonly warnDays: number };
  readonly deletionProtection: boolean;
  /** Link the inference account's CloudWatch metrics to the telemetry account (OAM), for the Bedrock widgets. */
  readonly crossAccountMetrics: boolean;
}

const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;

/** Fargate CPU units → [least, most, step] task memory in MiB (the TelemetryService refuses other pairs). */
const FARGATE: Readonly<Record<number, readonly [number, number, number]>> = {
  256: [512, 2048, 1024],
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
};

/** A CIDR whose octets, prefix and host bits are valid, or the reason it is not. */
function cidrProblem(cidr: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m) return undefined; // the pattern check reports it
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return `"${cidr}" is not a network CIDR (octets 0–255, prefix 0–32)`;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const mask = prefix === 0 ? 0 : 2 ** 32 - 2 ** (32 - prefix);
  if ((base & mask) >>> 0 !== base) return `"${cidr}" has host bits set; write the network address of the /${prefix}`;
  return undefined;
}

const OFF: TelemetryConfig = {
  enabled: false,
  scheme: "internet-facing",
  allowedCidrs: [],
  domainName: "",
  audienceFormat: "single-string",
  collector: {
    image: `ghcr.io/open-telemetry/opentelemetry-collector-releases/opentelemetry-collector-contrib:${telemetry.CONTRIB_0_136_0.version}`,
    cpu: 512,
    memoryMiB: 1024,
    minTasks: 1,
    maxTasks: 2,
    architecture: "ARM64",
    events: true,
  },
  network: { cidrBlock: "10.80.0.0/20", natGateways: 1, logsEndpoint: false },
  logRetentionDays: 30,
  rawDataExpirationDays: 90,
  aggregator: { everyMinutes: 15, leaderboardSize: 10 },
  modelLifecycle: { enabled: true, warnDays: 90 },
  deletionProtection: true,
  crossAccountMetrics: false,
};

/** The CIDR of the VPC the stage creates: /16 to /22, so that four subnets fit in two zones. */
function vpcCidr(n: Reader | undefined, p: ConfigProblems): string | undefined {
  const cidr = n?.str("cidrBlock", { default: OFF.network.cidrBlock!, pattern: CIDR, hint: "a /16 to /22 network, e.g. 10.80.0.0/20" });
  if (!n || !cidr || !CIDR.test(cidr)) return cidr;
  const problem = cidrProblem(cidr);
  const prefix = Number(cidr.split("/")[1]);
  if (problem) p.add(n.key("cidrBlock"), problem);
  else if (prefix < 16 || prefix > 22)
    p.add(
      n.key("cidrBlock"),
      `"${cidr}" is a /${prefix}; use a /16 to /22 network (the collector's four subnets are cut from it), e.g. 10.80.0.0/20`,
    );
  return cidr;
}

export function parseTelemetryConfig(r: Reader | undefined, p: ConfigProblems): TelemetryConfig {
  const enabled = r?.bool("enabled", false) ?? false;
  if (!r || !enabled) return OFF;
  const scheme = r.oneOf("scheme", ["internet-facing", "internal"] as const, "internet-facing");
  const allowedCidrs = r.strList("allowedCidrs", {
    pattern: CIDR,
    hint: "network CIDRs such as 10.0.0.0/8",
    min: 1,
    default: scheme === "internet-facing" ? ["0.0.0.0/0"] : [],
  });
  allowedCidrs.forEach((c, i) => {
    const problem = cidrProblem(c);
    if (problem) p.add(`${r.key("allowedCidrs")}[${i}]`, problem);
  });
  if (scheme === "internal" && allowedCidrs.includes("0.0.0.0/0"))
    p.add(r.key("allowedCidrs"), "an internal endpoint should list the corporate or VPN ranges that reach it, not 0.0.0.0/0");
  const domainName = r.str("domainName", { pattern: DNS_NAME, hint: "the collector's host name, e.g. otel.example.com (lower case)" });
  const hostedZoneId = r.optStr("hostedZoneId", { pattern: HOSTED_ZONE_ID, hint: "a Route 53 hosted zone id (Z…)" });
  const certificateArn = r.optStr("certificateArn", {
    pattern: ACM_CERTIFICATE_ARN,
    hint: "an ACM certificate ARN in the telemetry account and Region",
  });
  if (!hostedZoneId && !certificateArn)
    p.add(
      r.key("certificateArn"),
      "set certificateArn (an ACM certificate for domainName) or hostedZoneId (a certificate is issued with DNS validation)",
    );
  const sslPolicy = r.has("sslPolicy") ? r.oneOf("sslPolicy", telemetry.MODERN_TLS_POLICIES, telemetry.DEFAULT_TLS_POLICY) : undefined;
  const jwksUri = r.optStr("jwksUri", { pattern: /^https:\/\/\S+$/, hint: "the jwks_uri from the IdP's discovery document" });
  const audienceFormat = r.oneOf("audienceFormat", ["single-string", "string-array"] as const, "single-string");

  const c = r.child("collector", false);
  const image =
    c?.str("image", {
      default: OFF.collector.image,
      pattern: /^[\w./-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$/,
      hint: "a pinned image, e.g. otel/opentelemetry-collector-contrib:0.136.0",
    }) ?? OFF.collector.image;
  if (/:latest$/.test(image)) p.add(c!.key("image"), "pin a version; latest changes under you and breaks the pinned component check");
  else if (!telemetry.distributionOf(image))
    p.add(
      c!.key("image"),
      `"${image}" is not a collector distribution this module knows; use otel/opentelemetry-collector-contrib:<version>`,
    );
  else if (telemetry.imageVersionProblems(image).length)
    p.add(c!.key("image"), `${telemetry.imageVersionProblems(image).join("; ")}; use ${telemetry.MIN_CONTRIB_VERSION} or later`);
  else if (telemetry.distributionOf(image) === telemetry.ADOT_0_45_1) {
    p.add(
      c!.key("image"),
      "the ADOT collector has no oidc authenticator: it cannot verify the caller's token, so identity would come from forgeable headers; use otel/opentelemetry-collector-contrib:<version>",
    );
  }
  const cpu = c?.num("cpu", { min: 256, max: 4096, default: 512 }) ?? 512;
  const memoryMiB = c?.num("memoryMiB", { min: 512, max: 30720, default: 1024 }) ?? 1024;
  const fargate = FARGATE[cpu];
  if (!fargate) p.add(`${r.key("collector")}.cpu`, `must be one of ${Object.keys(FARGATE).join(", ")} (Fargate CPU units; got ${cpu})`);
  else if (memoryMiB < fargate[0] || memoryMiB > fargate[1] || memoryMiB % fargate[2] !== 0) {
    p.add(
      `${r.key("collector")}.memoryMiB`,
      `must be ${fargate[0]}–${fargate[1]} in steps of ${fargate[2]} for ${cpu} CPU units (Fargate; got ${memoryMiB})`,
    );
  }
  const minTasks = c?.num("minTasks", { min: 1, max: 20, default: 1 }) ?? 1;
  const maxTasks = c?.num("maxTasks", { min: 1, max: 20, default: Math.max(2, minTasks) }) ?? Math.max(2, minTasks);
  if (maxTasks < minTasks) p.add(c!.key("maxTasks"), `must be at least minTasks (${minTasks})`);
  const collector = {
    image,
    cpu,
    memoryMiB,
    minTasks,
    maxTasks,
    architecture: c?.oneOf("architecture", ["ARM64", "X86_64"] as const, "ARM64") ?? "ARM64",
    events: c?.bool("events", true) ?? true,
  };

  const n = r.child("network", false);
  const ex = n?.child("existing", false);
  const network = ex
    ? {
        natGateways: 0,
        logsEndpoint: false,
        existing: {
          vpcId: ex.str("vpcId", { pattern: /^vpc-[0-9a-f]{8,17}$/, hint: "a VPC id (vpc-…)" }),
          cidrBlock: ex.str("cidrBlock", { pattern: CIDR, hint: "the VPC's CIDR" }),
          publicSubnetIds: ex.strList("publicSubnetIds", {
            pattern: /^subnet-[0-9a-f]{8,17}$/,
            hint: "subnet ids in two zones",
            min: scheme === "internet-facing" ? 2 : 0,
            default: [],
          }),
          privateSubnetIds: ex.strList("privateSubnetIds", { pattern: /^subnet-[0-9a-f]{8,17}$/, hint: "subnet ids in two zones", min: 2 }),
        },
      }
    : {
        cidrBlock: vpcCidr(n, p) ?? OFF.network.cidrBlock!,
        natGateways: n?.num("natGateways", { min: 1, max: 2, default: 1 }) ?? 1,
        logsEndpoint: n?.bool("logsEndpoint", false) ?? false,
      };

  const logRetentionDays = r.retention("logRetentionDays", 30);
  if (storage.isLogRetention(logRetentionDays) && logRetentionDays < 7)
    p.add(r.key("logRetentionDays"), "must be at least 7: weekly active users and leaderboards read a week of records");
  const a = r.child("aggregator", false);
  const everyMinutes = a?.num("everyMinutes", { min: 5, max: 60, default: 15 }) ?? 15;
  if (60 % everyMinutes !== 0) p.add(a!.key("everyMinutes"), "must divide an hour: 5, 10, 15, 20, 30 or 60");
  const ml = r.child("modelLifecycle", false);
  return {
    enabled,
    scheme,
    allowedCidrs,
    domainName,
    ...(hostedZoneId ? { hostedZoneId } : {}),
    ...(certificateArn ? { certificateArn } : {}),
    ...(sslPolicy ? { sslPolicy } : {}),
    ...(jwksUri ? { jwksUri } : {}),
    audienceFormat,
    collector,
    network,
    logRetentionDays,
    rawDataExpirationDays: r.num("rawDataExpirationDays", { min: 1, max: 3650, default: 90 }),
    aggregator: { everyMinutes, leaderboardSize: a?.num("leaderboardSize", { min: 3, max: 50, default: 10 }) ?? 10 },
    modelLifecycle: { enabled: ml?.bool("enabled", true) ?? true, warnDays: ml?.num("warnDays", { min: 1, max: 365, default: 90 }) ?? 90 },
    deletionProtection: r.bool("deletionProtection", true),
    crossAccountMetrics: r.bool("crossAccountMetrics", false),
  };
}
