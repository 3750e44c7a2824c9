/**
 * Pull-request previews without the stack's secrets.
 *
 * `pulumi preview` of a stack whose secrets provider is `awskms` first unwraps the stack's data key with
 * a direct `kms:Decrypt` (Pulumi's cloud secrets manager does so when it loads the stack), and that key
 * decrypts every secret in the state and the stack config. The preview role may not do that: a pull
 * request runs code under review. So the preview job exports the deployed state (`pulumi stack export`
 * reads it without the key: secrets stay ciphertext), replaces every secret with a placeholder, and
 * imports the result into a throwaway local backend with a random passphrase, where `pulumi preview`
 * runs against the live accounts with the read-only preview role. The diff is the real one, except that
 * a secret value always shows as changed. (docs/ci-cd.md, "Previews")
 */

/** How Pulumi marks a secret value in a deployment (`resource.SecretSig`). */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
/** What a withheld secret reads as in the preview. */
export const WITHHELD_SECRET = "[secret withheld from pull-request previews]";

export interface SecretFreeDeployment {
  /** `{ version, deployment }`, as `pulumi stack import` takes it. */
  readonly exported: { readonly version: number; readonly deployment: Record<string, unknown> };
  /** How many secret values were replaced. */
  readonly withheld: number;
}

/**
 * The output of `pulumi stack export` with every secret replaced by a plaintext placeholder and the
 * secrets provider's state (which names the KMS-wrapped data key) removed. Throws on anything that is
 * not a version-3 export, and if a ciphertext would survive.
 */
export function secretFreeDeployment(exported: unknown): SecretFreeDeployment {
  const e = exported as { version?: unknown; deployment?: unknown };
  if (!e || typeof e !== "object" || e.version !== 3 || !e.deployment || typeof e.deployment !== "object") {
    throw new Error("not the output of `pulumi stack export` (expected { version: 3, deployment: { … } })");
  }
  let withheld = 0;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!v || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    if (o[SECRET_SIG_KEY] === SECRET_SIG) {
      withheld++;
      return { [SECRET_SIG_KEY]: SECRET_SIG, plaintext: JSON.stringify(WITHHELD_SECRET) };
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x)]));
  };
  const { secrets_providers: _provider, ...rest } = e.deployment as Record<string, unknown>;
  const deployment = walk(rest) as Record<string, unknown>;
  if (JSON.stringify(deployment).includes('"ciphertext"'))
    throw new Error("a ciphertext survived the redaction: refusing to write the state");
  return { exported: { version: 3, deployment }, withheld };
}
