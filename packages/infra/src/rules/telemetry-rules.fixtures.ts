import { ACCOUNT, doc, res, type RuleFixture } from "./fixtures";

const TLS = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06";
const CERT = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0f0e0d0c-0000-4000-8000-000000000001`;
const jwt = (claims: unknown[] = [{ name: "aud", format: "single-string", values: ["client"] }]) => ({
  type: "jwt-validation",
  order: 1,
  jwtValidation: { issuer: "https://idp.example.com", jwksEndpoint: "https://idp.example.com/keys", additionalClaims: claims },
});
const forward = { type: "forward", order: 2, targetGroupArn: "tg" };
const listener = (inputs: Record<string, unknown>) =>
  res("aws:lb/listener:Listener", "l", {
    port: 443,
    protocol: "HTTPS",
    sslPolicy: TLS,
    certificateArn: CERT,
    defaultActions: [jwt(), forward],
    ...inputs,
  });
const ecsTrust = (cond = true) =>
  doc({
    Effect: "Allow",
    Principal: { Service: "ecs-tasks.amazonaws.com" },
    Action: "sts:AssumeRole",
    ...(cond ? { Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT } } } : {}),
  });
const taskStack = (opts: { trustCondition?: boolean; wideStatement?: boolean; managed?: string } = {}) => [
  res("aws:ecs/taskDefinition:TaskDefinition", "td", {
    taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/task`,
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/exec`,
  }),
  res("aws:iam/role:Role", "task", { name: "task", assumeRolePolicy: ecsTrust(opts.trustCondition ?? true) }),
  res("aws:iam/role:Role", "exec", { name: "exec", assumeRolePolicy: ecsTrust() }),
  res("aws:iam/rolePolicy:RolePolicy", "task-policy", {
    role: "task",
    policy: doc(
      opts.wideStatement
        ? { Sid: "Wide", Effect: "Allow", Action: ["s3:PutObject"], Resource: "*" }
        : { Sid: "Scoped", Effect: "Allow", Action: ["s3:PutObject"], Resource: "arn:aws:s3:::raw/metrics/*" },
    ),
  }),
  ...(opts.managed ? [res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "att", { role: "task", policyArn: opts.managed })] : []),
];

/** One compliant and one non-compliant fixture per telemetry rule. */
export const TELEMETRY_FIXTURES: Record<string, RuleFixture> = {
  "alb-listener-https-modern-tls": {
    good: [listener({})],
    bad: [
      listener({ port: 80, protocol: "HTTP", sslPolicy: undefined, certificateArn: undefined, defaultActions: [forward] }),
      listener({ sslPolicy: "ELBSecurityPolicy-2016-08" }),
    ],
    expect: /uses HTTP[\s\S]*ELBSecurityPolicy-2016-08 is not one of/,
  },
  "alb-listener-jwt-validation": {
    good: [listener({}), res("aws:lb/listenerRule:ListenerRule", "iam-issuer", { actions: [jwt(), forward] })],
    bad: [
      listener({ defaultActions: [forward] }),
      listener({ defaultActions: [jwt([]), forward] }),
      res("aws:lb/listenerRule:ListenerRule", "bypass", { actions: [forward] }),
    ],
    expect: /without a jwt-validation[\s\S]*does not pin the audience/,
  },
  "alb-drop-invalid-headers": {
    good: [res("aws:lb/loadBalancer:LoadBalancer", "alb", { loadBalancerType: "application", dropInvalidHeaderFields: true })],
    bad: [res("aws:lb/loadBalancer:LoadBalancer", "alb", { loadBalancerType: "application" })],
    expect: /dropInvalidHeaderFields/,
  },
  "sg-no-open-ingress-except-https": {
    good: [
      res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "in443", {
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "0.0.0.0/0",
      }),
      res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "in4318", {
        ipProtocol: "tcp",
        fromPort: 4318,
        toPort: 4318,
        referencedSecurityGroupId: "sg-alb",
      }),
    ],
    bad: [
      res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "in4318", {
        ipProtocol: "tcp",
        fromPort: 4318,
        toPort: 4318,
        cidrIpv4: "0.0.0.0/0",
      }),
      res("aws:ec2/securityGroup:SecurityGroup", "sg", { ingress: [{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }] }),
    ],
    expect: /allows 0\.0\.0\.0\/0 on tcp 4318-4318[\s\S]*allows ::\/0 on all protocols/,
  },
  "ecs-task-roles-least-privilege": {
    good: taskStack(),
    bad: [...taskStack({ trustCondition: false, wideStatement: true, managed: "arn:aws:iam::aws:policy/AmazonS3FullAccess" })],
    expect: /lacks aws:SourceAccount[\s\S]*AmazonS3FullAccess[\s\S]*on \* without a condition/,
  },
};
