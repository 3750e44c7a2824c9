import type { PolicyProviderResource, PolicyResource } from "@pulumi/policy";
import { arr, at, obj, str, type RecordedResource } from "@ccb/infra/inventory";

/**
 * The bridge from what the Pulumi engine hands a policy pack (`PolicyResource`) to what the security
 * rules read (`RecordedResource`, the same shape the mock recorder produces in unit tests).
 *
 * During a preview some outputs are still unknown. `@pulumi/policy` wraps props in a proxy that
 * throws on reading an unknown, which would turn the whole stack policy into an advisory "can't run
 * during preview". Instead the raw props are read and every unknown is replaced: a property that
 * depends on exactly one other resource (a bucket policy's `bucket`, say) gets that resource's id,
 * so rules that join siblings still work; any other unknown becomes `undefined` (not checkable yet;
 * `pulumi up` runs the pack again with the values known).
 */

/** The sentinels @pulumi/policy uses for unknown values (proxy.js); checked against the library by a test. */
export const UNKNOWN_SENTINELS: ReadonlySet<string> = new Set([
  "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7", // boolean
  "3eeb2bf0-c639-47a8-9e75-3b44932eb421", // number
  "04da6b54-80e4-46f7-96ec-b56ff0331ba9", // string
  "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2", // array
  "030794c1-ac77-496b-92df-f27374a8bd58", // asset
  "e48ece36-62e2-4504-bad9-02848725956a", // archive
  "dd056dcd-154b-4c76-9bd3-c8f88648b5ff", // object
]);

const isUnknown = (v: unknown): boolean => typeof v === "string" && UNKNOWN_SENTINELS.has(v);

/** The object behind @pulumi/policy's unknown-checking proxy (or the value itself). */
function raw(value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const target: unknown = Reflect.get(value, "__getSpecialProxyTarget");
  return target ?? value;
}

/** Copies a value, replacing unknowns with `undefined`. */
function known(value: unknown): unknown {
  const v = raw(value);
  if (isUnknown(v)) return undefined;
  if (Array.isArray(v)) return v.map(known);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, known(x)]));
  return v;
}

/** A stable id for a resource from its URN (the engine's identity; physical ids are not known in a preview). */
export function idFromUrn(urn: string): string {
  return urn;
}

/** Account of a provider: the role it assumes, else its single allowed account (as the mock recorder does). */
export function accountOfProvider(provider: PolicyProviderResource | undefined): string | undefined {
  if (!provider) return undefined;
  const props = obj(known(provider.props));
  const roles = arr(typeof props.assumeRoles === "string" ? safeJson(props.assumeRoles) : props.assumeRoles);
  const fromRole = str(at(roles[roles.length - 1], "roleArn"))?.split(":")[4];
  if (fromRole && /^\d{12}$/.test(fromRole)) return fromRole;
  const allowed = arr(typeof props.allowedAccountIds === "string" ? safeJson(props.allowedAccountIds) : props.allowedAccountIds);
  return allowed.length === 1 ? String(allowed[0]) : undefined;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** Maps the engine's resources to the rules' shape. */
export function toRecordedResources(resources: readonly PolicyResource[]): RecordedResource[] {
  return resources.map((r) => {
    const props = obj(raw(r.props));
    const inputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(props)) {
      const deps = r.propertyDependencies?.[key] ?? [];
      inputs[key] = isUnknown(raw(value)) && deps.length === 1 ? idFromUrn(deps[0]!.urn) : known(value);
    }
    const account = accountOfProvider(r.provider);
    const providerRegion = r.provider ? at(known(r.provider.props), "region") : undefined;
    const region = typeof inputs.region === "string" ? inputs.region : typeof providerRegion === "string" ? providerRegion : undefined;
    return { type: r.type, name: r.name, id: idFromUrn(r.urn), inputs, ...(account ? { account } : {}), ...(region ? { region } : {}) };
  });
}
