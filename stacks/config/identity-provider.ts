import { federation, naming } from "@ccb/infra";
import { REDIRECT_HOSTS, type RedirectHost } from "@ccb/contracts";
import type { Reader } from "./problems";
import type { StageConfig } from "./stage-config";

const { SESSION_TAG_KEY } = naming.patterns;

/** `stage.identityProvider`: the OIDC IdP developers sign in with, and who of its users may assume the role. */
export interface IdentityProviderConfig {
  readonly kind: federation.IdentityProviderKind;
  readonly issuer: federation.NormalisedIssuer;
  readonly clientId: string;
  readonly existingProviderArn?: string;
  readonly allowedSubjects: readonly string[];
  readonly requiredSessionTag?: { readonly key: string; readonly values: readonly string[] };
  /**
   * Session tag key (e.g. `email`) under which the IdP sends the user's email in the token's
   * `https://aws.amazon.com/tags` claim (`principal_tags`). Direct federation only: the user role's
   * trust then requires the tag, and the quota block keys on `aws:PrincipalTag/<key>`. Unlike the
   * role session name, which the caller of AssumeRoleWithWebIdentity chooses freely, session tags come
   * only from the signed token. Required for `quotas.mode: block` with the server-side block.
   */
  readonly emailSessionTag?: string;
  readonly redirectPort: number;
  /**
   * Host of the loopback redirect URI the IdP must have registered. Absent: `localhost` for
   * `kind: cognito-user-pool` (Cognito accepts plain-http callbacks only for `http://localhost`),
   * `127.0.0.1` otherwise.
   */
  readonly redirectHost?: RedirectHost;
  readonly scopes: readonly string[];
  readonly emailClaim: string;
  readonly groupsClaim?: string;
  readonly attributeClaims: { readonly department?: string; readonly team?: string; readonly costCenter?: string };
}

/** The id_token claim with the user's email when the stage names none. */
export const DEFAULT_EMAIL_CLAIM = "email";

/**
 * The claim names the quota check and the token endpoint read, from the IdP when the stage has one;
 * an IAM Identity Center stage without one gets the defaults (its callers are IAM sessions, not tokens).
 */
export function claimNamesOf(
  config: Pick<StageConfig, "identityProvider">,
): Pick<IdentityProviderConfig, "emailClaim" | "groupsClaim" | "attributeClaims"> {
  const idp = config.identityProvider;
  if (!idp) return { emailClaim: DEFAULT_EMAIL_CLAIM, attributeClaims: {} };
  return { emailClaim: idp.emailClaim, ...(idp.groupsClaim ? { groupsClaim: idp.groupsClaim } : {}), attributeClaims: idp.attributeClaims };
}

/** Parses `stage.identityProvider`; `mode` and the inference account decide which keys apply. */
export function parseIdentityProvider(
  idp: Reader | undefined,
  mode: StageConfig["federation"]["mode"],
  inferenceAccountId: string,
): IdentityProviderConfig {
  const p = idp?.p;
  const kind = idp?.oneOf("kind", ["okta", "entra", "auth0", "cognito-user-pool", "generic"] as const, "generic") ?? "generic";
  let issuer: federation.NormalisedIssuer = { url: "", iss: "", key: "", kind };
  if (idp) {
    const rawIssuer = idp.str("issuer", { hint: "the IdP's https issuer URL" });
    if (rawIssuer) {
      try {
        issuer = federation.normalizeIssuer(rawIssuer, kind);
      } catch (e) {
        p!.add(idp.key("issuer"), (e as Error).message);
      }
    }
  }
  const allowedSubjects = idp?.strList("allowedSubjects", { default: [] }) ?? [];
  const tagReader = idp?.child("requiredSessionTag", false);
  const requiredSessionTag = tagReader
    ? {
        key: tagReader.str("key", { pattern: SESSION_TAG_KEY, hint: "a session tag key" }),
        values: tagReader.strList("values", { min: 1 }),
      }
    : undefined;
  if (idp && allowedSubjects.length === 0 && !requiredSessionTag) {
    p!.add(
      idp.key("allowedSubjects"),
      "restrict who may assume the Bedrock role: list allowedSubjects (pilot) or set requiredSessionTag (production)",
    );
  }
  // Named subjects only: `00u*` admits every user whose id happens to start so (IAM StringLike), and the
  // trust cannot mix exact subjects with patterns (IAM ANDs the two operators).
  allowedSubjects.forEach((s, i) => {
    if (/[*?]/.test(s))
      p!.add(
        `${idp!.key("allowedSubjects")}[${i}]`,
        `"${s}" has a wildcard; list each user's exact \`sub\` value, or restrict by a group with requiredSessionTag`,
      );
    else if (s.trim() === "") p!.add(`${idp!.key("allowedSubjects")}[${i}]`, "is empty; list each user's exact `sub` value");
  });
  requiredSessionTag?.values.forEach((v, i) => {
    if (/[*?]/.test(v) || v.trim() === "")
      p!.add(
        `${tagReader!.key("values")}[${i}]`,
        `"${v}" is not an exact tag value: a wildcard admits every token that carries the tag key; list the exact values the IdP sends (e.g. [enabled])`,
      );
  });
  const attributeClaims = idp?.child("attributeClaims", false);
  const emailSessionTag = idp?.optStr("emailSessionTag", {
    pattern: SESSION_TAG_KEY,
    hint: "a session tag key (1–128 of [A-Za-z0-9_.:/=+@-]) such as email",
  });

  const existingProviderArn = idp?.has("existingProviderArn")
    ? idp.str("existingProviderArn", { pattern: /^arn:aws(?:-[a-z]+)*:iam::\d{12}:oidc-provider\/.+$/, hint: "an IAM OIDC provider ARN" })
    : undefined;
  if (
    existingProviderArn &&
    inferenceAccountId &&
    /:iam::\d{12}:/.test(existingProviderArn) &&
    existingProviderArn.split(":")[4] !== inferenceAccountId
  ) {
    p!.add(
      idp!.key("existingProviderArn"),
      `is in account ${existingProviderArn.split(":")[4]}, but the user role is created in the inference account ${inferenceAccountId}; a role can trust only its own account's OIDC provider: use that account's provider ARN or remove the key to create one`,
    );
  }
  if (emailSessionTag && mode !== "direct") {
    p!.add(
      idp!.key("emailSessionTag"),
      "applies to federation.mode: direct only (a Cognito identity pool maps the email principal tag itself); remove it",
    );
  }
  return {
    kind,
    issuer,
    clientId:
      idp?.str("clientId", {
        pattern: /^[^\s*?]+$/,
        hint: "the OAuth client id registered for the helper, exactly (no spaces or wildcards: it pins the role's audience)",
      }) ?? "",
    ...(existingProviderArn ? { existingProviderArn } : {}),
    allowedSubjects,
    ...(requiredSessionTag ? { requiredSessionTag } : {}),
    ...(emailSessionTag ? { emailSessionTag } : {}),
    redirectPort: idp?.num("redirectPort", { min: 1024, max: 65535, default: 8400 }) ?? 8400,
    ...(idp?.has("redirectHost") ? { redirectHost: idp.oneOf("redirectHost", REDIRECT_HOSTS) } : {}),
    scopes: idp?.strList("scopes", { default: ["openid", "email", "profile", "offline_access"] }) ?? [],
    emailClaim: idp?.str("emailClaim", { default: DEFAULT_EMAIL_CLAIM }) ?? DEFAULT_EMAIL_CLAIM,
    ...(idp?.has("groupsClaim") ? { groupsClaim: idp.str("groupsClaim") } : {}),
    attributeClaims: {
      ...(attributeClaims?.has("department") ? { department: attributeClaims.str("department") } : {}),
      ...(attributeClaims?.has("team") ? { team: attributeClaims.str("team") } : {}),
      ...(attributeClaims?.has("costCenter") ? { costCenter: attributeClaims.str("costCenter") } : {}),
    },
  };
}
