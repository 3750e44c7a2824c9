/**
 * A Service Quotas stand-in for the tests: moto's service-quotas knows only the `vpc` service, so the
 * Bedrock quotas are served from here, over the same JSON 1.1 protocol the AWS SDK speaks. Never bundled.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";

export interface StandInQuota {
  readonly QuotaCode: string;
  readonly QuotaName: string;
  readonly Value: number;
}

export interface ServiceQuotasStandIn {
  readonly url: string;
  /** Operation names in the order they were called. */
  readonly calls: string[];
  close(): Promise<void>;
}

/** `applied`: the account's values (ListServiceQuotas, GetServiceQuota); `defaults`: AWS defaults. Pages of two. */
export async function startServiceQuotasStandIn(
  applied: readonly StandInQuota[],
  defaults: readonly StandInQuota[],
): Promise<ServiceQuotasStandIn> {
  const calls: string[] = [];
  const full = (q: StandInQuota) => ({ ...q, ServiceCode: "bedrock", ServiceName: "Amazon Bedrock", Unit: "None", Adjustable: true });
  const page = (list: readonly StandInQuota[], token?: string) => {
    const start = token ? Number(token) : 0;
    const next = start + 2 < list.length ? String(start + 2) : undefined;
    return { Quotas: list.slice(start, start + 2).map(full), ...(next ? { NextToken: next } : {}) };
  };
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const op = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "";
      calls.push(op);
      const input = JSON.parse(body || "{}") as { ServiceCode?: string; QuotaCode?: string; NextToken?: string };
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify(json));
      };
      const notFound = () => send(400, { __type: "NoSuchResourceException", message: `no quota ${input.QuotaCode}` });
      if (input.ServiceCode !== "bedrock") return notFound();
      switch (op) {
        case "ListServiceQuotas":
          return send(200, page(applied, input.NextToken));
        case "ListAWSDefaultServiceQuotas":
          return send(200, page(defaults, input.NextToken));
        case "GetServiceQuota": {
          const q = applied.find((x) => x.QuotaCode === input.QuotaCode);
          return q ? send(200, { Quota: full(q) }) : notFound();
        }
        case "GetAWSDefaultServiceQuota": {
          const q = defaults.find((x) => x.QuotaCode === input.QuotaCode);
          return q ? send(200, { Quota: full(q) }) : notFound();
        }
        default:
          return send(400, { __type: "InvalidParameterValueException", message: `the stand-in does not serve ${op}` });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, calls, close: () => new Promise((r) => server.close(() => r())) };
}
