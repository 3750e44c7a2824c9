/**
 * Maps AWS Price List `GetProducts` answers for Bedrock to the project's price book.
 *
 * Each `PriceList` entry is a JSON string: `product.attributes` names the model (`servicename`,
 * `Claude Sonnet 4.5 (Amazon Bedrock Edition)`), the Region (`regionCode`) and what is billed
 * (`usagetype`, `USE1-MP:USE1_InputTokenCount-Units`); `terms.OnDemand.*.priceDimensions.*` holds the
 * price (`pricePerUnit.USD`, `unit`). A usage type ending in `_Global` is the rate of the `global.`
 * cross-Region profile; without it, the rate of in-Region calls and of the geographic profiles
 * (`us.`, `eu.`, …). Batch, 1-hour cache, flex and priority tiers are not what Claude Code is billed at
 * and are skipped.
 */
import type { Price } from "@ccb/contracts";

export interface PriceListProduct {
  readonly product?: { readonly attributes?: Readonly<Record<string, string>> };
  readonly terms?: {
    readonly OnDemand?: Readonly<
      Record<
        string,
        {
          readonly priceDimensions?: Readonly<
            Record<string, { readonly unit?: string; readonly pricePerUnit?: { readonly USD?: string } }>
          >;
        }
      >
    >;
  };
}

type Kind = keyof Price;
type Scope = "regional" | "global";

/** `InputTokenCount` and its siblings, with an optional `_Global` scope and nothing else. */
const USAGE = /_(CacheReadInputTokenCount|CacheWriteInputTokenCount|InputTokenCount|OutputTokenCount)(_Global)?-Units$/;
const KIND_OF: Record<string, Kind> = {
  InputTokenCount: "input",
  OutputTokenCount: "output",
  CacheReadInputTokenCount: "cacheRead",
  CacheWriteInputTokenCount: "cacheWrite",
};

/** USD per million tokens from one price dimension; `undefined` when the unit is not a token count we know. */
function perMillion(unit: string | undefined, usd: string | undefined): number | undefined {
  const v = Number(usd);
  if (usd === undefined || !Number.isFinite(v) || v < 0) return undefined;
  const u = (unit ?? "").trim().toLowerCase();
  // The Marketplace-style Bedrock SKUs bill in "Units" of one million tokens.
  if (u === "units" || u === "1m tokens" || u === "million tokens") return v;
  if (u === "1k tokens") return v * 1000;
  return undefined;
}

/** `anthropic.claude-sonnet-4-5-20250929-v1:0` → `claude sonnet 4.5`; `…claude-3-7-sonnet…` → `claude 3.7 sonnet`. */
export function priceListName(modelId: string): string {
  const core = modelId
    .toLowerCase()
    .replace(/^.*anthropic\./, "")
    .replace(/-v\d+(:\d+)?$/, "")
    .replace(/-\d{8}$/, "");
  const words: string[] = [];
  for (const part of core.split("-")) {
    const last = words[words.length - 1];
    if (/^\d+$/.test(part) && last !== undefined && /^\d+(\.\d+)*$/.test(last)) words[words.length - 1] = `${last}.${part}`;
    else words.push(part);
  }
  return words.join(" ");
}

const normalName = (servicename: string) =>
  servicename
    .toLowerCase()
    .replace(/\(amazon bedrock edition\)/, "")
    .trim();

export interface MappedPrices {
  /** By model id as usage names it: the base id and geographic profiles at the regional rate, `global.` at the global rate. */
  readonly models: Record<string, Price>;
  /** Models in use the Price List has no complete price for (all four kinds) in the Region. */
  readonly missing: string[];
}

/**
 * Prices of the given models in one Region. A model is priced only when all four kinds are listed
 * for a scope: a half-priced model would silently charge cache tokens at zero.
 */
export function mapPriceList(
  items: readonly PriceListProduct[],
  region: string,
  models: readonly { readonly id: string; readonly prefixes: readonly string[] }[],
): MappedPrices {
  const found = new Map<string, Partial<Record<Scope, Partial<Price>>>>();
  for (const item of items) {
    const a = item.product?.attributes ?? {};
    if (a.regionCode !== region || !a.servicename || !a.usagetype) continue;
    const m = USAGE.exec(a.usagetype);
    if (!m) continue;
    const dims = Object.values(item.terms?.OnDemand ?? {}).flatMap((t) => Object.values(t.priceDimensions ?? {}));
    const price = dims.map((d) => perMillion(d.unit, d.pricePerUnit?.USD)).find((p) => p !== undefined);
    if (price === undefined) continue;
    const name = normalName(a.servicename);
    const scope: Scope = m[2] ? "global" : "regional";
    const byScope = found.get(name) ?? {};
    byScope[scope] = { ...byScope[scope], [KIND_OF[m[1]!]!]: price };
    found.set(name, byScope);
  }
  const complete = (p: Partial<Price> | undefined): p is Price =>
    p !== undefined && (["input", "output", "cacheRead", "cacheWrite"] as const).every((k) => typeof p[k] === "number");
  const out: Record<string, Price> = {};
  const missing: string[] = [];
  for (const model of models) {
    const listed = found.get(priceListName(model.id));
    const regional = complete(listed?.regional) ? listed.regional : undefined;
    const global = complete(listed?.global) ? listed.global : undefined;
    if (!regional && !global) {
      missing.push(model.id);
      continue;
    }
    // A model listed at one scope only is priced at that rate everywhere rather than not at all.
    const local = regional ?? global!;
    out[model.id] = local;
    for (const p of model.prefixes) out[`${p}.${model.id}`] = p === "global" ? (global ?? local) : local;
  }
  return { models: out, missing };
}
