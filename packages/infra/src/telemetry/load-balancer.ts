import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { childOpts, type BuilderScope } from "../scope";
import { TOKEN_ISSUER_HEADER, type AdditionalIssuer, type TelemetryServiceArgs } from "./args";
import { HEALTH_PATH, HEALTH_PORT, OTLP_HTTP_PORT } from "./collector-config";
import type { Network } from "./network";
import { DEFAULT_TLS_POLICY } from "./validate";

export interface LoadBalancerInputs {
  readonly loadBalancer: TelemetryServiceArgs["loadBalancer"];
  readonly network: Network;
  readonly issuerUrl: string;
  readonly jwksUri: string;
  readonly audience: string;
  readonly audienceFormat: "single-string" | "string-array";
  readonly additionalIssuers?: ReadonlyArray<AdditionalIssuer> | undefined;
}

export interface LoadBalancer {
  readonly alb: aws.lb.LoadBalancer;
  readonly targetGroup: aws.lb.TargetGroup;
  readonly listener: aws.lb.Listener;
  readonly taskSecurityGroupId: pulumi.Output<string>;
  readonly endpoint: pulumi.Output<string>;
}

/** Security groups: the ALB only on 443 from the allowed ranges; the tasks only from the ALB. */
function buildSecurityGroups(scope: BuilderScope, vpcId: pulumi.Input<string>, allowedCidrs: readonly string[]) {
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const albSg = new aws.ec2.SecurityGroup(
    `${name}-alb-sg`,
    { vpcId, description: "Claude Code OTLP load balancer: HTTPS in, collector out", tags },
    parent,
  );
  const taskSg = new aws.ec2.SecurityGroup(
    `${name}-task-sg`,
    { vpcId, description: "Claude Code OTLP collector tasks: from the load balancer only", tags },
    parent,
  );
  allowedCidrs.forEach((cidr) => {
    // Keyed by the range, so reordering the list does not replace rules.
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-alb-https-in-${cidr.replace(/[./]/g, "-")}`,
      { securityGroupId: albSg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: cidr, description: "OTLP over HTTPS" },
      parent,
    );
  });
  for (const [role, port] of [
    ["otlp", OTLP_HTTP_PORT],
    ["health", HEALTH_PORT],
  ] as const) {
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-alb-${role}-out`,
      {
        securityGroupId: albSg.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: taskSg.id,
        description: `to collector ${role}`,
      },
      parent,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-task-${role}-in`,
      {
        securityGroupId: taskSg.id,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: albSg.id,
        description: `${role} from the load balancer`,
      },
      parent,
    );
  }
  // The ALB fetches the IdP's keys itself; the tasks reach AWS APIs and the IdP's discovery.
  new aws.vpc.SecurityGroupEgressRule(
    `${name}-alb-jwks-out`,
    { securityGroupId: albSg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", description: "IdP JWKS over HTTPS" },
    parent,
  );
  new aws.vpc.SecurityGroupEgressRule(
    `${name}-task-https-out`,
    {
      securityGroupId: taskSg.id,
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: "0.0.0.0/0",
      description: "AWS APIs, IdP discovery, image pull",
    },
    parent,
  );
  return { albSg, taskSg };
}

/** The given certificate, or one issued for the domain and validated in the hosted zone. */
function buildCertificate(scope: BuilderScope, lb: TelemetryServiceArgs["loadBalancer"]): pulumi.Input<string> {
  if (lb.certificateArn) return lb.certificateArn;
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const cert = new aws.acm.Certificate(`${name}-cert`, { domainName: lb.domainName, validationMethod: "DNS", tags }, parent);
  // One domain, one validation record.
  const option = cert.domainValidationOptions.apply((o) => o[0]!);
  const record = new aws.route53.Record(
    `${name}-cert-validation`,
    {
      zoneId: lb.hostedZoneId!,
      name: option.resourceRecordName,
      type: option.resourceRecordType,
      records: [option.resourceRecordValue],
      ttl: 300,
      allowOverwrite: true,
    },
    parent,
  );
  return new aws.acm.CertificateValidation(
    `${name}-cert-validated`,
    { certificateArn: cert.arn, validationRecordFqdns: [record.fqdn] },
    parent,
  ).certificateArn;
}

/** The Application Load Balancer: HTTPS only, the caller's OIDC token validated (`jwt-validation`) before anything reaches a task. */
export function buildLoadBalancer(scope: BuilderScope, args: LoadBalancerInputs): LoadBalancer {
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const lb = args.loadBalancer;
  const { albSg, taskSg } = buildSecurityGroups(scope, args.network.vpcId, lb.allowedCidrs);
  const alb = new aws.lb.LoadBalancer(
    `${name}-alb`,
    {
      loadBalancerType: "application",
      internal: lb.scheme === "internal",
      subnets: [...(lb.scheme === "internal" ? args.network.privateSubnetIds : args.network.publicSubnetIds)],
      securityGroups: [albSg.id],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "strictest",
      enableDeletionProtection: lb.deletionProtection ?? true,
      idleTimeout: 120,
      tags,
    },
    parent,
  );
  const certificateArn = buildCertificate(scope, lb);
  if (lb.hostedZoneId) {
    new aws.route53.Record(
      `${name}-alias`,
      {
        zoneId: lb.hostedZoneId,
        name: lb.domainName,
        type: "A",
        aliases: [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true }],
      },
      parent,
    );
  }
  const targetGroup = new aws.lb.TargetGroup(
    `${name}-tg`,
    {
      port: OTLP_HTTP_PORT,
      protocol: "HTTP",
      targetType: "ip",
      vpcId: args.network.vpcId,
      deregistrationDelay: 30,
      healthCheck: {
        enabled: true,
        path: HEALTH_PATH,
        port: String(HEALTH_PORT),
        protocol: "HTTP",
        matcher: "200",
        interval: 15,
        timeout: 5,
        healthyThreshold: 2,
        unhealthyThreshold: 3,
      },
      tags,
    },
    parent,
  );
  const listener = new aws.lb.Listener(
    `${name}-https`,
    {
      loadBalancerArn: alb.arn,
      port: 443,
      protocol: "HTTPS",
      sslPolicy: lb.sslPolicy ?? DEFAULT_TLS_POLICY,
      certificateArn,
      defaultActions: [
        {
          type: "jwt-validation",
          order: 1,
          jwtValidation: {
            issuer: args.issuerUrl,
            jwksEndpoint: args.jwksUri,
            additionalClaims: [{ name: "aud", format: args.audienceFormat, values: [args.audience] }],
          },
        },
        { type: "forward", order: 2, targetGroupArn: targetGroup.arn },
      ],
      tags,
    },
    parent,
  );
  buildIssuerRules(scope, listener, targetGroup, args.additionalIssuers ?? []);
  return { alb, targetGroup, listener, taskSecurityGroupId: taskSg.id, endpoint: pulumi.output(`https://${lb.domainName}`) };
}

/** One listener rule per additional issuer, chosen by the issuer header; it validates the token like the default action. */
function buildIssuerRules(
  scope: BuilderScope,
  listener: aws.lb.Listener,
  targetGroup: aws.lb.TargetGroup,
  issuers: ReadonlyArray<AdditionalIssuer>,
): void {
  issuers.forEach((i, n) => {
    new aws.lb.ListenerRule(
      `${scope.name}-https-${i.key}`,
      {
        listenerArn: listener.arn,
        priority: 10 + n,
        conditions: [{ httpHeader: { httpHeaderName: TOKEN_ISSUER_HEADER, values: [i.key] } }],
        actions: [
          {
            type: "jwt-validation",
            order: 1,
            jwtValidation: {
              issuer: i.issuerUrl,
              jwksEndpoint: i.jwksUri,
              additionalClaims: [{ name: "aud", format: "single-string", values: [i.audience] }],
            },
          },
          { type: "forward", order: 2, targetGroupArn: targetGroup.arn },
        ],
        tags: scope.tags,
      },
      childOpts(scope),
    );
  });
}
