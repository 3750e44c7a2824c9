import { doc, res, type RuleFixture } from "./fixtures";

const KEY = "arn:aws:kms:us-east-1:111111111111:key/0b4c2f1e-1111-2222-3333-444455556666";
const repoPolicy = (...statements: unknown[]) =>
  res("aws:codeartifact/repositoryPermissionsPolicy:RepositoryPermissionsPolicy", "p", {
    domain: "d",
    repository: "r",
    policyDocument: doc(...statements),
  });
const domainPolicy = (...statements: unknown[]) =>
  res("aws:codeartifact/domainPermissions:DomainPermissions", "dp", { domain: "d", policyDocument: doc(...statements) });

/** One compliant and one non-compliant fixture per distribution rule. */
export const DISTRIBUTION_FIXTURES: Record<string, RuleFixture> = {
  "codeartifact-domain-cmk": {
    good: [res("aws:codeartifact/domain:Domain", "d", { domain: "ccb-pilot", encryptionKey: KEY })],
    bad: [res("aws:codeartifact/domain:Domain", "d", { domain: "ccb-pilot" })],
    expect: /has no encryptionKey/,
  },
  "codeartifact-policy-principal-bounded": {
    good: [
      domainPolicy({
        Sid: "OrganizationToken",
        Effect: "Allow",
        Principal: "*",
        Action: "codeartifact:GetAuthorizationToken",
        Resource: "*",
        Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abcdefghij" } },
      }),
    ],
    bad: [
      repoPolicy({
        Sid: "Everyone",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: ["codeartifact:ReadFromRepository"],
        Resource: "*",
        Condition: { StringLike: { "aws:PrincipalOrgID": "*" } },
      }),
    ],
    expect: /Everyone allows any principal without an aws:PrincipalOrgID condition/,
  },
  "codeartifact-policy-read-only": {
    good: [
      repoPolicy({
        Sid: "AccountsRead",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::222222222222:root" },
        Action: ["codeartifact:ReadFromRepository", "codeartifact:GetPackageVersionAsset"],
        Resource: "*",
      }),
    ],
    bad: [
      repoPolicy({
        Sid: "AccountsPublish",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::222222222222:root" },
        Action: ["codeartifact:ReadFromRepository", "codeartifact:PublishPackageVersion"],
        Resource: "*",
      }),
    ],
    expect: /AccountsPublish allows codeartifact:PublishPackageVersion through a resource policy/,
  },
};
