import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allow, policyDocument, renderPolicy, serviceTrustStatement, type AwsEnvironment } from "../iam";
import { childOpts, type BuilderScope } from "../scope";
import type { TelemetryServiceArgs } from "./args";
import * as perms from "./perms";
import { subnetCidr } from "./validate";

export interface NetworkInputs {
  readonly network: TelemetryServiceArgs["network"];
  readonly namePrefix: string;
  readonly logRetentionDays: number;
  readonly env: AwsEnvironment;
  readonly keyArn: pulumi.Output<string>;
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
}

export interface Network {
  readonly vpcId: pulumi.Output<string>;
  readonly publicSubnetIds: readonly pulumi.Input<string>[];
  readonly privateSubnetIds: readonly pulumi.Input<string>[];
}

/** The collector's VPC (two public, two private subnets, 1–2 NAT gateways, S3 endpoint, REJECT flow logs) or the existing one. */
export function buildNetwork(scope: BuilderScope, args: NetworkInputs): Network {
  if (args.network.existing) {
    const e = args.network.existing;
    return { vpcId: pulumi.output(e.vpcId), publicSubnetIds: e.publicSubnetIds, privateSubnetIds: e.privateSubnetIds };
  }
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const cidr = args.network.cidrBlock!;
  const vpc = new aws.ec2.Vpc(
    `${name}-vpc`,
    { cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: { ...tags, Name: `${args.namePrefix}-telemetry` } },
    parent,
  );
  const zones = aws.getAvailabilityZonesOutput({ state: "available" }, { parent: scope.parent });
  const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags }, parent);
  const publicRoutes = new aws.ec2.RouteTable(
    `${name}-public-routes`,
    { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }], tags },
    parent,
  );
  const nats = args.network.natGateways ?? 1;
  const publicSubnets: aws.ec2.Subnet[] = [];
  const privateSubnets: aws.ec2.Subnet[] = [];
  const privateRoutes: aws.ec2.RouteTable[] = [];
  const natGateways: aws.ec2.NatGateway[] = [];
  for (let i = 0; i < 2; i++) {
    const az = zones.names.apply((n) => n[i]!);
    const pub = new aws.ec2.Subnet(
      `${name}-public-${i}`,
      {
        vpcId: vpc.id,
        cidrBlock: subnetCidr(cidr, 4, i),
        availabilityZone: az,
        mapPublicIpOnLaunch: false,
        tags: { ...tags, tier: "public" },
      },
      parent,
    );
    new aws.ec2.RouteTableAssociation(`${name}-public-${i}-routes`, { subnetId: pub.id, routeTableId: publicRoutes.id }, parent);
    publicSubnets.push(pub);
    if (i < nats) {
      const eip = new aws.ec2.Eip(`${name}-nat-ip-${i}`, { domain: "vpc", tags }, parent);
      natGateways.push(
        new aws.ec2.NatGateway(
          `${name}-nat-${i}`,
          { subnetId: pub.id, allocationId: eip.id, tags },
          childOpts(scope, { dependsOn: [igw] }),
        ),
      );
    }
  }
  for (let i = 0; i < 2; i++) {
    const az = zones.names.apply((n) => n[i]!);
    const priv = new aws.ec2.Subnet(
      `${name}-private-${i}`,
      { vpcId: vpc.id, cidrBlock: subnetCidr(cidr, 2, 2 + i), availabilityZone: az, tags: { ...tags, tier: "private" } },
      parent,
    );
    const routes = new aws.ec2.RouteTable(
      `${name}-private-${i}-routes`,
      { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: natGateways[Math.min(i, natGateways.length - 1)]!.id }], tags },
      parent,
    );
    new aws.ec2.RouteTableAssociation(`${name}-private-${i}-assoc`, { subnetId: priv.id, routeTableId: routes.id }, parent);
    privateSubnets.push(priv);
    privateRoutes.push(routes);
  }
  // S3 traffic (raw data) stays on the AWS network at no cost.
  new aws.ec2.VpcEndpoint(
    `${name}-s3-endpoint`,
    {
      vpcId: vpc.id,
      serviceName: pulumi.interpolate`com.amazonaws.${args.env.region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: privateRoutes.map((r) => r.id),
      tags,
    },
    parent,
  );
  if (args.network.logsEndpoint)
    buildLogsEndpoint(scope, { vpcId: vpc.id, cidr, region: args.env.region, subnetIds: privateSubnets.map((s) => s.id) });
  buildFlowLogs(scope, { ...args, vpcId: vpc.id });
  return { vpcId: vpc.id, publicSubnetIds: publicSubnets.map((s) => s.id), privateSubnetIds: privateSubnets.map((s) => s.id) };
}

/** Interface endpoint for CloudWatch Logs so EMF and events stay on the AWS network. */
function buildLogsEndpoint(
  scope: BuilderScope,
  args: { vpcId: pulumi.Output<string>; cidr: string; region: pulumi.Input<string>; subnetIds: pulumi.Output<string>[] },
): void {
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const sg = new aws.ec2.SecurityGroup(
    `${name}-endpoint-sg`,
    { vpcId: args.vpcId, description: "Interface endpoints: HTTPS from the VPC", tags },
    parent,
  );
  new aws.vpc.SecurityGroupIngressRule(
    `${name}-endpoint-https-in`,
    { securityGroupId: sg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: args.cidr, description: "HTTPS from the VPC" },
    parent,
  );
  new aws.ec2.VpcEndpoint(
    `${name}-logs-endpoint`,
    {
      vpcId: args.vpcId,
      serviceName: pulumi.interpolate`com.amazonaws.${args.region}.logs`,
      vpcEndpointType: "Interface",
      privateDnsEnabled: true,
      subnetIds: args.subnetIds,
      securityGroupIds: [sg.id],
      tags,
    },
    parent,
  );
}

/** Flow logs of rejected traffic: cheap evidence when a security group blocks something it should not. */
function buildFlowLogs(scope: BuilderScope, args: NetworkInputs & { vpcId: pulumi.Output<string> }): void {
  const { name, tags } = scope;
  const parent = childOpts(scope);
  const flowLogs = new aws.cloudwatch.LogGroup(
    `${name}-flow-logs`,
    { name: `/${args.namePrefix}/telemetry/vpc-flow`, retentionInDays: args.logRetentionDays, kmsKeyId: args.keyArn, tags },
    parent,
  );
  const flowRole = new aws.iam.Role(
    `${name}-flow-logs-role`,
    {
      description: "VPC flow logs of the telemetry VPC",
      assumeRolePolicy: renderPolicy(policyDocument(serviceTrustStatement("vpc-flow-logs.amazonaws.com", args.env.accountId))),
      permissionsBoundary: args.permissionsBoundaryArn,
      tags,
    },
    parent,
  );
  new aws.iam.RolePolicy(
    `${name}-flow-logs-policy`,
    {
      role: flowRole.name,
      policy: renderPolicy(policyDocument(allow(perms.FLOW_LOG_ACTIONS, [pulumi.interpolate`${flowLogs.arn}:*`], { sid: "FlowLogs" }))),
    },
    parent,
  );
  new aws.ec2.FlowLog(
    `${name}-flow-log`,
    {
      vpcId: args.vpcId,
      trafficType: "REJECT",
      logDestinationType: "cloud-watch-logs",
      logDestination: flowLogs.arn,
      iamRoleArn: flowRole.arn,
      tags,
    },
    parent,
  );
}
