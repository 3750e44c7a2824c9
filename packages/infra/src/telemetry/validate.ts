import type { IdentityProviderKind, NormalisedIssuer } from "../federation/issuer";
import { isLogRetention, LOG_RETENTION_DAYS } from "../storage/retention";
import type { LoadBalancerArgs } from "./args";
import { distributionOf, imageVersionProblems } from "./components";
import { ACM_CERTIFICATE_ARN, DNS_NAME, HOSTED_ZONE_ID, NAME_PREFIX } from "../naming/patterns";

/** TLS policies an HTTPS listener may use: TLS 1.3 with 1.2 fallback (forward secrecy only) or TLS 1.3 only. */
export const MODERN_TLS_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
  "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09",
  "ELBSecurityPolicy-FS-1-2-Res-2020-10",
] as const;
export const DEFAULT_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";

/**
 * The JWKS endpoint of an issuer, by IdP kind. The ALB fetches keys from here (it does not read the
 * discovery document), so it must be exact; `generic` issuers must name it.
 */
export function jwksUriFor(issuer: NormalisedIssuer): string | undefined {
  switch (issuer.kind) {
    case "okta":
      // Custom authorization servers publish under the issuer; the org server under /oauth2/v1/keys.
      return /\/oauth2\/[^/]+$/.test(issuer.url) ? `${issuer.url}/v1/keys` : `${issuer.url}/oauth2/v1/keys`;
    case "entra": {
      const tenant = /login\.microsoftonline\.com\/([0-9a-f-]{36})\/v2\.0$/.exec(issuer.url)?.[1];
      return tenant ? `https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys` : undefined;
    }
    case "auth0":
    case "cognito-user-pool":
      return `${issuer.url}/.well-known/jwks.json`;
    case "generic":
      return undefined;
  }
}

export interface NetworkArgsShape {
  readonly cidrBlock?: string;
  readonly natGateways?: number;
  readonly existing?: {
    readonly vpcId: unknown;
    readonly publicSubnetIds: readonly unknown[];
    readonly privateSubnetIds: readonly unknown[];
    readonly cidrBlock: string;
  };
}

export interface ValidatableArgs {
  readonly namePrefix: string;
  readonly issuer: NormalisedIssuer;
  readonly audience: string;
  readonly jwksUri?: string;
  readonly loadBalancer: Omit<LoadBalancerArgs, "deletionProtection">;
  readonly collector: {
    readonly image: string;
    readonly cpu: number;
    readonly memoryMiB: number;
    readonly minTasks: number;
    readonly maxTasks: number;
  };
  readonly network: NetworkArgsShape;
  readonly logRetentionDays: number;
  readonly rawDataExpirationDays: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
/** Fargate CPU units → allowed memory (MiB). */
const FARGATE: Readonly<Record<number, readonly [number, number, number]>> = {
  256: [512, 2048, 1024],
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
};

export function parseCidr(cidr: string): { base: number; prefix: number } | undefined {
  const m = CIDR.exec(cidr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const mask = prefix === 0 ? 0 : 2 ** 32 - 2 ** (32 - prefix);
  if ((base & mask) >>> 0 !== base) return undefined;
  return { base, prefix };
}

/** The `index`-th subnet of `cidr` with `newBits` more prefix bits. */
export function subnetCidr(cidr: string, newBits: number, index: number): string {
  const parsed = parseCidr(cidr);
  if (!parsed) throw new Error(`"${cidr}" is not a network CIDR`);
  const prefix = parsed.prefix + newBits;
  if (prefix > 28 || index >= 2 ** newBits) throw new Error(`cannot take subnet ${index} of /${prefix} from ${cidr}`);
  const base = parsed.base + index * 2 ** (32 - prefix);
  return `${[24, 16, 8, 0].map((s) => (base >>> s) & 255).join(".")}/${prefix}`;
}

/** Validates the component's args; returns problems naming each arg. */
export function validateTelemetryServiceArgs(a: ValidatableArgs): string[] {
  const p: string[] = [];
  if (!NAME_PREFIX.test(a.namePrefix)) p.push("`namePrefix` must be 2–20 lower-case letters, digits, dashes");
  if (!a.issuer.url.startsWith("https://")) p.push("`issuer` must be normalised with federation.normalizeIssuer()");
  if (!a.audience.trim()) p.push("`audience` must be the helper's OAuth client id (the token's aud)");
  const jwks = a.jwksUri ?? jwksUriFor(a.issuer);
  if (!jwks)
    p.push(`\`jwksUri\` is required for a ${a.issuer.kind} issuer: copy jwks_uri from ${a.issuer.url}/.well-known/openid-configuration`);
  else if (!/^https:\/\/[^\s]+$/.test(jwks)) p.push("`jwksUri` must be an https URL");

  const lb = a.loadBalancer;
  if (!DNS_NAME.test(lb.domainName))
    p.push("`loadBalancer.domainName` must be a lower-case DNS name the certificate covers, e.g. otel.example.com");
  if (!lb.certificateArn && !lb.hostedZoneId)
    p.push(
      "`loadBalancer` needs `certificateArn` (an ACM certificate for the domain) or `hostedZoneId` (to issue one with DNS validation)",
    );
  if (lb.certificateArn && !ACM_CERTIFICATE_ARN.test(lb.certificateArn))
    p.push("`loadBalancer.certificateArn` must be an ACM certificate ARN");
  if (lb.hostedZoneId && !HOSTED_ZONE_ID.test(lb.hostedZoneId))
    p.push("`loadBalancer.hostedZoneId` must be a Route 53 hosted zone id (Z…)");
  if (lb.sslPolicy && !(MODERN_TLS_POLICIES as readonly string[]).includes(lb.sslPolicy))
    p.push(`\`loadBalancer.sslPolicy\` must be one of ${MODERN_TLS_POLICIES.join(", ")}`);
  if (lb.allowedCidrs.length === 0)
    p.push("`loadBalancer.allowedCidrs` needs at least one range (0.0.0.0/0 for internet-facing, corporate ranges for internal)");
  lb.allowedCidrs.forEach((c, i) => {
    if (!parseCidr(c)) p.push(`\`loadBalancer.allowedCidrs[${i}]\` "${c}" is not a network CIDR`);
    if (lb.scheme === "internal" && c === "0.0.0.0/0")
      p.push(`\`loadBalancer.allowedCidrs[${i}]\`: an internal load balancer should name the networks that reach it, not 0.0.0.0/0`);
  });

  const c = a.collector;
  if (/:latest$/.test(c.image) || !/[:@]/.test(c.image.split("/").pop() ?? ""))
    p.push(`\`collector.image\` "${c.image}" must be pinned to a version tag or digest, never latest`);
  const dist = distributionOf(c.image);
  if (!dist)
    p.push(`\`collector.image\` "${c.image}" is not a known collector distribution; use otel/opentelemetry-collector-contrib:<version>`);
  for (const problem of imageVersionProblems(c.image)) p.push(`\`collector.image\`: ${problem}`);
  const mem = FARGATE[c.cpu];
  if (!mem) p.push(`\`collector.cpu\` must be one of ${Object.keys(FARGATE).join(", ")} (Fargate CPU units)`);
  else if (c.memoryMiB < mem[0] || c.memoryMiB > mem[1] || c.memoryMiB % mem[2] !== 0)
    p.push(`\`collector.memoryMiB\` must be ${mem[0]}–${mem[1]} in steps of ${mem[2]} for ${c.cpu} CPU units`);
  if (!Number.isInteger(c.minTasks) || c.minTasks < 1) p.push("`collector.minTasks` must be at least 1");
  if (!Number.isInteger(c.maxTasks) || c.maxTasks < c.minTasks || c.maxTasks > 20)
    p.push("`collector.maxTasks` must be between `minTasks` and 20");

  const n = a.network;
  if (!n.existing) {
    const parsed = parseCidr(n.cidrBlock ?? "");
    if (!parsed || parsed.prefix < 16 || parsed.prefix > 22)
      p.push("`network.cidrBlock` must be a network CIDR from /16 to /22, e.g. 10.80.0.0/20");
    if (n.natGateways !== undefined && ![1, 2].includes(n.natGateways))
      p.push("`network.natGateways` must be 1 (cheaper) or 2 (one per zone, survives a zone failure)");
  } else {
    if (n.existing.publicSubnetIds.length < 2 && lb.scheme === "internet-facing")
      p.push("`network.existing.publicSubnetIds` needs subnets in at least two zones");
    if (n.existing.privateSubnetIds.length < 2) p.push("`network.existing.privateSubnetIds` needs subnets in at least two zones");
    if (!parseCidr(n.existing.cidrBlock)) p.push("`network.existing.cidrBlock` must be the VPC's CIDR");
  }
  if (!isLogRetention(a.logRetentionDays)) p.push(`\`logRetentionDays\` must be a CloudWatch retention: ${LOG_RETENTION_DAYS.join(", ")}`);
  else if (a.logRetentionDays < 7)
    p.push("`logRetentionDays` must be at least 7: the aggregation reads a week of EMF records for active users and leaderboards");
  if (!Number.isInteger(a.rawDataExpirationDays) || a.rawDataExpirationDays < 1)
    p.push("`rawDataExpirationDays` must be a whole number of days ≥ 1");
  return p;
}

export type { IdentityProviderKind };
