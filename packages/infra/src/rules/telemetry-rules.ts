import { asList, parsePolicy, stringsOf } from "../iam/parse";
import { at, obj } from "../testing/inputs";
import type { RecordedResource } from "../testing/recorder";
import { MODERN_TLS_POLICIES } from "../telemetry/validate";
import type { SecurityRule } from "./types";

const LISTENER = "aws:lb/listener:Listener";
const LB = "aws:lb/loadBalancer:LoadBalancer";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
const TASK_DEF = "aws:ecs/taskDefinition:TaskDefinition";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

const OPEN = new Set(["0.0.0.0/0", "::/0"]);

/** Listeners accept HTTPS only, with a TLS 1.3 / forward-secrecy policy: no plaintext OTLP, ever. */
export const listenerHttpsOnly: SecurityRule = {
  id: "alb-listener-https-modern-tls",
  description: "Load balancer listeners use HTTPS with a modern TLS policy (no plaintext listener, not even a redirect-less HTTP one)",
  types: [LISTENER],
  check(r) {
    const out: string[] = [];
    const protocol = String(r.inputs.protocol ?? "HTTP");
    if (protocol !== "HTTPS" && protocol !== "TLS") {
      const redirectsOnly = asList(r.inputs.defaultActions).every(
        (a) => at(a, "type") === "redirect" && at(a, "redirect", "protocol") === "HTTPS",
      );
      if (!redirectsOnly) out.push(`listener on port ${r.inputs.port} uses ${protocol} and does not only redirect to HTTPS`);
      return out;
    }
    if (!(MODERN_TLS_POLICIES as readonly string[]).includes(String(r.inputs.sslPolicy)))
      out.push(`sslPolicy ${r.inputs.sslPolicy ?? "(default)"} is not one of ${MODERN_TLS_POLICIES.join(", ")}`);
    if (!r.inputs.certificateArn) out.push("HTTPS listener has no certificateArn");
    return out;
  },
};

/**
 * A listener that forwards to targets validates the caller's JWT first (ALB `jwt-validation` with
 * issuer, JWKS endpoint and an audience claim) or authenticates with OIDC/Cognito.
 */
export const listenerValidatesJwt: SecurityRule = {
  id: "alb-listener-jwt-validation",
  description: "Listeners that forward to targets first validate the caller's JWT (issuer, JWKS, audience) or authenticate the user",
  types: [LISTENER, "aws:lb/listenerRule:ListenerRule"],
  check(r) {
    const actions = asList(r.inputs.defaultActions ?? r.inputs.actions)
      .map(obj)
      .sort((a, b) => Number(a.order ?? 0) - Number(b.order ?? 0));
    const forwardAt = actions.findIndex((a) => a.type === "forward");
    if (forwardAt < 0) return [];
    const before = actions.slice(0, forwardAt);
    const jwt = before.find((a) => a.type === "jwt-validation");
    if (before.some((a) => a.type === "authenticate-oidc" || a.type === "authenticate-cognito")) return [];
    if (!jwt) return ["forwards to targets without a jwt-validation (or authenticate) action before it"];
    const out: string[] = [];
    const v = obj(jwt.jwtValidation);
    if (!/^https:\/\//.test(String(v.issuer ?? ""))) out.push("jwt-validation has no https issuer");
    if (!/^https:\/\//.test(String(v.jwksEndpoint ?? ""))) out.push("jwt-validation has no https JWKS endpoint");
    const aud = asList(v.additionalClaims).find((c) => at(c, "name") === "aud");
    const audValues = stringsOf(at(aud, "values"));
    if (!aud || audValues.length === 0 || audValues.some((x) => x.includes("*")))
      out.push("jwt-validation does not pin the audience (additional claim aud)");
    return out;
  },
};

/** Load balancers drop malformed headers (request smuggling) and never serve plain HTTP. */
export const loadBalancerHardened: SecurityRule = {
  id: "alb-drop-invalid-headers",
  description: "Application load balancers drop invalid header fields",
  types: [LB],
  check(r) {
    if (r.inputs.loadBalancerType !== undefined && r.inputs.loadBalancerType !== "application") return [];
    return r.inputs.dropInvalidHeaderFields === true ? [] : ["dropInvalidHeaderFields is not true"];
  },
};

function openIngress(r: RecordedResource): Array<{ from: number; to: number; cidr: string; protocol: string }> {
  const rules = r.type === SG ? asList(r.inputs.ingress).map(obj) : [r.inputs];
  return rules.flatMap((rule) => {
    const cidrs = [
      ...stringsOf(rule.cidrBlocks),
      ...stringsOf(rule.ipv6CidrBlocks),
      ...stringsOf(rule.cidrIpv4),
      ...stringsOf(rule.cidrIpv6),
    ];
    const protocol = String(rule.protocol ?? rule.ipProtocol ?? "");
    const from = protocol === "-1" ? 0 : Number(rule.fromPort ?? 0);
    const to = protocol === "-1" ? 65535 : Number(rule.toPort ?? 65535);
    return cidrs.filter((c) => OPEN.has(c)).map((cidr) => ({ from, to, cidr, protocol }));
  });
}

/** Nothing is open to the internet except HTTPS on 443. */
export const noOpenIngressExcept443: SecurityRule = {
  id: "sg-no-open-ingress-except-https",
  description: "Security groups allow 0.0.0.0/0 or ::/0 only on TCP 443",
  types: [SG, INGRESS],
  check(r) {
    return openIngress(r)
      .filter((x) => !(x.protocol === "tcp" && x.from === 443 && x.to === 443))
      .map((x) => `allows ${x.cidr} on ${x.protocol === "-1" ? "all protocols" : `${x.protocol} ${x.from}-${x.to}`}`);
  },
};

/**
 * ECS task and execution roles: trusted by ecs-tasks only (bound to the account), no managed policies
 * beyond the ECS execution policy, and inline statements with named resources (no `*` resource for
 * anything but actions that have none, which must then carry a condition).
 */
export const ecsRolesLeastPrivilege: SecurityRule = {
  id: "ecs-task-roles-least-privilege",
  description: "ECS task and execution roles are bound to this account, attach no broad managed policies and scope every statement",
  types: [TASK_DEF],
  check(td, stack) {
    const out: string[] = [];
    const refs = [td.inputs.taskRoleArn, td.inputs.executionRoleArn].filter((x): x is string => typeof x === "string");
    for (const arn of refs) {
      const role = stack.find(
        (x) =>
          x.type === ROLE &&
          (x.inputs.arn === arn || arn.endsWith(`:role/${String(x.inputs.name ?? x.name)}`) || arn.endsWith(`/${x.name}`)),
      );
      if (!role) continue;
      for (const s of parsePolicy(role.inputs.assumeRolePolicy)?.Statement ?? []) {
        const services = typeof s.Principal === "object" ? stringsOf(s.Principal.Service) : [];
        if (services.some((x) => x !== "ecs-tasks.amazonaws.com")) out.push(`${role.name} is trusted by ${services.join(", ")}`);
        if (!s.Condition?.StringEquals?.["aws:SourceAccount"]) out.push(`${role.name} trust lacks aws:SourceAccount`);
      }
      const roleName = role.inputs.name ?? `${role.name}-role`;
      for (const a of stack.filter((x) => x.type === ATTACHMENT && (x.inputs.role === roleName || x.inputs.role === role.name))) {
        if (!/AmazonECSTaskExecutionRolePolicy$/.test(String(a.inputs.policyArn))) out.push(`${role.name} attaches ${a.inputs.policyArn}`);
      }
      for (const p of stack.filter((x) => x.type === ROLE_POLICY && (x.inputs.role === roleName || x.inputs.role === role.name))) {
        for (const s of parsePolicy(p.inputs.policy)?.Statement ?? []) {
          if (s.Effect !== "Allow") continue;
          const wide = stringsOf(s.Resource).includes("*");
          if (wide && !s.Condition)
            out.push(`${p.name} statement ${s.Sid ?? "(no Sid)"} allows ${stringsOf(s.Action).join(", ")} on * without a condition`);
        }
      }
    }
    return out;
  },
};

export const TELEMETRY_RULES: SecurityRule[] = [
  listenerHttpsOnly,
  listenerValidatesJwt,
  loadBalancerHardened,
  noOpenIngressExcept443,
  ecsRolesLeastPrivilege,
];
