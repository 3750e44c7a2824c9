import { describe, expect, it } from "vitest";
import * as all from "./index";
import * as env from "./env";
import * as stageSettings from "./stage-settings";
import * as identity from "./identity/session-name";
import * as pricing from "./pricing/price-book";
import * as analyticsPricing from "./pricing/analytics-pricing";
import * as checkApi from "./quotas/check-api";
import * as quotaEnv from "./quotas/env";
import * as blockPolicy from "./quotas/block-policy";
import * as quotaMetrics from "./quotas/metrics";
import * as rate from "./quotas/rate";
import * as priceSource from "./quotas/price-source";
import * as aggregator from "./telemetry/aggregator";
import * as lifecycle from "./telemetry/lifecycle";
import * as serviceQuotas from "./telemetry/service-quotas";

describe("the package entry point", () => {
  it("re-exports every value of every contract by name (Node's ESM loader sees only listed names)", () => {
    const leaves = [
      env,
      stageSettings,
      identity,
      pricing,
      analyticsPricing,
      checkApi,
      quotaEnv,
      blockPolicy,
      quotaMetrics,
      rate,
      priceSource,
      aggregator,
      lifecycle,
      serviceQuotas,
    ];
    const expected = leaves.flatMap((m) => Object.keys(m)).sort();
    expect(Object.keys(all).sort()).toEqual(expected);
  });
});
