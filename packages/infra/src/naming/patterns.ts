/**
 * The input patterns several components and the stage config check, written once. Each says what it
 * accepts and why; a component that needs a stricter or looser form keeps its own beside its use.
 */

/** A 12-digit AWS account id. */
export const ACCOUNT_ID = /^\d{12}$/;
/** An AWS Organizations id (`o-` and 10–32 lower-case letters or digits). */
export const ORG_ID = /^o-[a-z0-9]{10,32}$/;
/**
 * Prefix of a stage's physical names (`ccb-prod`): 2–20 lower-case letters, digits, dashes, from a
 * letter. Short enough that the longest derived name (`<prefix>-analytics-subscription`) fits IAM's 64.
 */
export const NAME_PREFIX = /^[a-z][a-z0-9-]{1,19}$/;
/** A team or workload name: 2–31 lower-case letters, digits, dashes, from a letter (it becomes a tag and a profile name). */
export const TEAM_NAME = /^[a-z][a-z0-9-]{1,30}$/;
/** A session tag key as STS accepts it (ASCII subset of the IAM tag key characters). */
export const SESSION_TAG_KEY = /^[A-Za-z0-9_.:/=+@-]{1,128}$/;
/** An exact IAM role name (no wildcards). */
export const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** An IAM role name that may contain `*`/`?` (and a path), for `aws:PrincipalArn` patterns. */
export const ROLE_NAME_PATTERN = /^[\w+=,.@*?/-]{1,64}$/;
/** Only wildcards: a pattern that would match every name. */
export const ONLY_WILDCARDS = /^[*?]+$/;
/** A CodeArtifact domain name (2–50 lower-case letters, digits, dashes). */
export const CODEARTIFACT_DOMAIN = /^[a-z][a-z0-9-]{0,48}[a-z0-9]$/;
/** A CodeArtifact repository name. */
export const CODEARTIFACT_REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$/;
/** A scoped npm package name (`@scope/name`), npm's allowed characters. */
export const NPM_SCOPED_NAME = /^@[a-z0-9-~][a-z0-9-._~]*\/[a-z0-9-~][a-z0-9-._~]*$/;
/** `owner/repo` on GitHub. */
export const GITHUB_REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
/** A branch or environment-safe ref name. */
export const GITHUB_REF_NAME = /^[A-Za-z0-9._/-]{1,255}$/;
/** A release tag, optionally ending in one `*` (e.g. `helper-v*`). */
export const GITHUB_TAG_PATTERN = /^[A-Za-z0-9._/-]{2,100}\*?$/;
/** The ARN of GitHub Actions' IAM OIDC provider. */
export const GITHUB_OIDC_PROVIDER_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/;
/** A lower-case DNS name with at least two labels. */
export const DNS_NAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** An ACM certificate ARN. */
export const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]+$/;
/** A Route 53 hosted zone id. */
export const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
/** An S3 bucket name (general purpose). */
export const S3_BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** A CUR 2.0 table configuration name (UPPER_SNAKE_CASE). */
export const CUR_TABLE_CONFIGURATION = /^[A-Z][A-Z0-9_]*$/;
/** An IAM role ARN in any partition. */
export const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
