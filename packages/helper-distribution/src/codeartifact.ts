/**
 * What developers and CI need to talk to the stage's CodeArtifact npm endpoint, derived from its URL
 * (`https://<domain>-<owner>.d.codeartifact.<region>.<dns suffix>/npm/<repository>/`). The same
 * commands are stack outputs of the `PackageRegistry` component; this side only needs the URL that
 * travels in the stage settings.
 */
export interface CodeArtifactEndpoint {
  readonly domain: string;
  readonly owner: string;
  readonly region: string;
  readonly repository: string;
  readonly url: string;
}

const ENDPOINT =
  /^https:\/\/([a-z][a-z0-9-]{0,48}[a-z0-9])-(\d{12})\.d\.codeartifact\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.amazonaws\.com(?:\.cn)?\/npm\/([A-Za-z0-9][A-Za-z0-9._-]{1,99})\/?$/;

/** Parses a CodeArtifact npm endpoint; undefined for any other registry (e.g. a local test registry). */
export function parseCodeArtifactUrl(url: string): CodeArtifactEndpoint | undefined {
  const m = ENDPOINT.exec(url);
  if (!m) return undefined;
  return { domain: m[1]!, owner: m[2]!, region: m[3]!, repository: m[4]!, url: url.endsWith("/") ? url : `${url}/` };
}

/** CodeArtifact tokens last at most 12 hours; `login` asks for the maximum. */
export const MAX_TOKEN_SECONDS = 43200;

/**
 * `aws codeartifact login` scoped to the package's npm scope: only `@scope/*` resolves through
 * CodeArtifact, every other package keeps the developer's usual registry (without `--namespace`
 * the command would repoint the whole npm registry).
 */
export function loginCommand(e: CodeArtifactEndpoint, scope: string, profile?: string): string {
  return [
    "aws codeartifact login --tool npm",
    `--domain ${e.domain} --domain-owner ${e.owner} --repository ${e.repository}`,
    `--namespace @${scope} --region ${e.region} --duration-seconds ${MAX_TOKEN_SECONDS}`,
    ...(profile ? [`--profile ${profile}`] : []),
  ].join(" ");
}

/** For CI and `.npmrc` users: the token into an environment variable. */
export function tokenCommand(e: CodeArtifactEndpoint, profile?: string): string {
  return `export CODEARTIFACT_AUTH_TOKEN="$(aws codeartifact get-authorization-token --domain ${e.domain} --domain-owner ${e.owner} --region ${e.region} --duration-seconds ${MAX_TOKEN_SECONDS}${profile ? ` --profile ${profile}` : ""} --query authorizationToken --output text)"`;
}

/** `.npmrc` lines that route the scope to the registry and read the token from the environment. */
export function npmrcLines(registryUrl: string, scope: string): string[] {
  const url = registryUrl.endsWith("/") ? registryUrl : `${registryUrl}/`;
  const nerf = url.replace(/^https?:/, "");
  return [`@${scope}:registry=${url}`, `${nerf}:_authToken=\${CODEARTIFACT_AUTH_TOKEN}`];
}
