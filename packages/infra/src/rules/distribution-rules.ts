import { RESOURCE_POLICY_ALLOWED_ACTIONS } from "../distribution/perms";
import { asList, parsePolicy, principalsOf, stringsOf, type StatementJson } from "../iam/parse";
import type { RecordedResource } from "../testing/recorder";
import type { SecurityRule } from "./types";

export const CODEARTIFACT_DOMAIN = "aws:codeartifact/domain:Domain";
export const CODEARTIFACT_DOMAIN_POLICY = "aws:codeartifact/domainPermissions:DomainPermissions";
export const CODEARTIFACT_REPOSITORY_POLICY = "aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy";

const statementsOfPolicy = (r: RecordedResource): StatementJson[] => parsePolicy(r.inputs.policyDocument)?.Statement ?? [];
const isAnyone = (s: StatementJson): boolean => principalsOf(s, "AWS").includes("*");
const BOUNDING_KEYS = ["aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount"];

/** Condition keys with at least one value that is not a bare wildcard. */
function boundingKeys(s: StatementJson): string[] {
  const keys: string[] = [];
  for (const kv of Object.values(s.Condition ?? {})) {
    for (const [key, v] of Object.entries(kv)) {
      if (asList(v).some((x) => typeof x === "string" && !/^[*?]*$/.test(x))) keys.push(key.toLowerCase());
    }
  }
  return keys;
}

export const codeArtifactDomainCmk: SecurityRule = {
  id: "codeartifact-domain-cmk",
  description: "CodeArtifact domains encrypt their assets with a customer managed KMS key",
  types: [CODEARTIFACT_DOMAIN],
  check(r) {
    const key = r.inputs.encryptionKey;
    if (typeof key !== "string" || key === "") return ["has no encryptionKey (the AWS managed aws/codeartifact key would be used)"];
    if (/alias\/aws\//.test(key)) return [`uses the AWS managed key ${key}; use a customer managed key`];
    return [];
  },
};

export const codeArtifactPolicyBounded: SecurityRule = {
  id: "codeartifact-policy-principal-bounded",
  description:
    "CodeArtifact domain and repository policies never allow `*` principals without aws:PrincipalOrgID (or PrincipalOrgPaths/PrincipalAccount)",
  types: [CODEARTIFACT_DOMAIN_POLICY, CODEARTIFACT_REPOSITORY_POLICY],
  check(r) {
    const out: string[] = [];
    for (const s of statementsOfPolicy(r)) {
      if (s.Effect !== "Allow" || !isAnyone(s)) continue;
      if (!boundingKeys(s).some((k) => BOUNDING_KEYS.includes(k)))
        out.push(`statement ${s.Sid ?? "(no Sid)"} allows any principal without an aws:PrincipalOrgID condition`);
    }
    return out;
  },
};

export const codeArtifactPolicyReadOnly: SecurityRule = {
  id: "codeartifact-policy-read-only",
  description: "CodeArtifact resource policies grant reads and tokens only; publishing goes through the publisher role's identity policy",
  types: [CODEARTIFACT_DOMAIN_POLICY, CODEARTIFACT_REPOSITORY_POLICY],
  check(r) {
    const out: string[] = [];
    for (const s of statementsOfPolicy(r)) {
      if (s.Effect !== "Allow") continue;
      for (const a of stringsOf(s.Action))
        if (!RESOURCE_POLICY_ALLOWED_ACTIONS.includes(a))
          out.push(`statement ${s.Sid ?? "(no Sid)"} allows ${a} through a resource policy`);
    }
    return out;
  },
};

/** Security rules of the distribution module. */
export const DISTRIBUTION_RULES: SecurityRule[] = [codeArtifactDomainCmk, codeArtifactPolicyBounded, codeArtifactPolicyReadOnly];
