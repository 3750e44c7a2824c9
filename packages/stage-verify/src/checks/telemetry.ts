import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { ok, fail, missingOutput, type CheckResult, type VerifyContext } from "./context";
import { expect401 } from "./http";

/** Telemetry: the collector has healthy targets and rejects requests without a token. */

/** At least one healthy collector target behind the stage's load balancer. */
export async function collectorTargetChecks(ctx: VerifyContext): Promise<CheckResult[]> {
  const { s, c } = ctx;
  const check = "collector targets";
  if (!s.telemetryLoadBalancerDnsName) return [missingOutput(check, "telemetryLoadBalancerDnsName")];
  const lbs: NonNullable<import("@aws-sdk/client-elastic-load-balancing-v2").DescribeLoadBalancersCommandOutput["LoadBalancers"]> = [];
  let marker: string | undefined;
  do {
    const page = await c.elb.send(new DescribeLoadBalancersCommand({ ...(marker ? { Marker: marker } : {}) }));
    lbs.push(...(page.LoadBalancers ?? []));
    marker = page.NextMarker;
  } while (marker);
  const lb = lbs.find((l) => l.DNSName?.toLowerCase() === s.telemetryLoadBalancerDnsName!.toLowerCase());
  if (!lb)
    return [
      fail(
        check,
        `no load balancer with DNS name ${s.telemetryLoadBalancerDnsName}`,
        "run `pulumi refresh` then `pulumi up` (the collector's load balancer was deleted)",
      ),
    ];
  const tgs = (await c.elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb.LoadBalancerArn }))).TargetGroups ?? [];
  let healthy = 0;
  const states: string[] = [];
  for (const tg of tgs) {
    const h = (await c.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg.TargetGroupArn }))).TargetHealthDescriptions ?? [];
    for (const d of h) {
      states.push(d.TargetHealth?.State ?? "unknown");
      if (d.TargetHealth?.State === "healthy") healthy++;
    }
  }
  return [
    healthy > 0
      ? ok(check, `${healthy} healthy collector target(s)`)
      : fail(
          check,
          `no healthy target behind ${lb.LoadBalancerName} (${states.length ? states.join(", ") : "no targets registered"})`,
          "look at the collector service's stopped tasks and logs (ECS console, the collector log group): usually the image cannot be pulled or the config is rejected",
        ),
  ];
}

/** The collector answers 401 without a token. */
export async function collectorAuthChecks(ctx: VerifyContext): Promise<CheckResult[]> {
  const { s, doFetch } = ctx;
  if (!s.telemetryEndpoint) return [missingOutput("collector auth", "telemetryEndpoint")];
  return [await expect401(doFetch, "collector auth", `${s.telemetryEndpoint.replace(/\/$/, "")}/v1/metrics`, "POST")];
}
