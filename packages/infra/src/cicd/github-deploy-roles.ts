import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { analyticsSubscriptionRoleName } from "../analytics/analytics-pipeline";
import { PRICING_OBJECT_KEY } from "../analytics/schema";
import {
  accountRootArn,
  accountTrustStatement,
  allow,
  arn,
  awsEnvironment,
  mergeConditions,
  oidcTrustStatement,
  policyDocument,
  renderPolicy,
  roleArn,
  type AwsEnvironment,
  type Conditions,
  type Statement,
} from "../iam";
import {
  APIGATEWAY_DEPLOY_ACTIONS,
  BOUNDED_ROLE_WRITE_ACTIONS,
  CHAIN_ACTIONS,
  previewReadActions,
  IAM_OIDC_WRITE_ACTIONS,
  IAM_POLICY_WRITE_ACTIONS,
  IAM_READ_ACTIONS,
  IAM_ROLE_WRITE_ACTIONS,
  KMS_GRANT_ACTIONS,
  KMS_VIA_SERVICE_ACTIONS,
  KMS_VIA_SERVICES,
  MANAGED_ROLE_INLINE_POLICY_ACTIONS,
  DEPLOY_GROUPS,
  PASS_ROLE_ACTIONS,
  PASS_ROLE_SERVICES,
  RELEASE_BEARER_ACTIONS,
  RELEASE_PACKAGE_ACTIONS,
  RELEASE_REPOSITORY_ACTIONS,
  RELEASE_TOKEN_ACTIONS,
  SECRETS_DECRYPT_ACTIONS,
  SECRETS_ENCRYPT_ACTIONS,
  SERVICE_LINKED_ROLE_ACTIONS,
  SERVICE_LINKED_ROLE_SERVICES,
  STATE_BUCKET_LIST_ACTIONS,
  STATE_META_KEY,
  STATE_OBJECT_READ_ACTIONS,
  STATE_OBJECT_WRITE_ACTIONS,
  stateObjectPaths,
} from "./perms";
import {
  ciRoleNames,
  deployRefs,
  deploySubjects,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_HOST,
  GITHUB_OIDC_URL,
  MAX_CI_SESSION_SECONDS,
  previewSubjects,
  releaseRefs,
  releaseSubjects,
  type SubjectSpec,
  validateDeployRoleArgs,
} from "./validate";
import { guardrailStatements, stageBoundaryArns, type StageIamScope } from "./workload-boundary";
import { ACCOUNT_ID, CODEARTIFACT_DOMAIN, CODEARTIFACT_REPOSITORY, ROLE_NAME, S3_BUCKET_NAME } from "../naming/patterns";

/** Publishing the credential helper from a tag (see `.github/workflows/release-helper.yml`). */
export interface ReleaseArgs {
  /**
   * The protected GitHub environment whose jobs may publish (`environment:<name>`): required reviewers
   * approve each release, and the environment admits only the release tags. Required: a tag pattern
   * alone would trust any tag a writer can push.
   */
  readonly environment: string;
  /**
   * The tags those jobs must run on, e.g. `helper-v*`: the token's `ref` claim must be
   * `refs/tags/<pattern>` as well (IAM evaluates GitHub's `ref` claim besides `sub`).
   */
  readonly tagPattern?: string;
  readonly codeArtifact: {
    readonly domain: string;
    readonly repository: string;
    /** The helper's npm name, `@scope/name`; the executables go to the generic package `<name>-executables`. */
    readonly packageName: string;
    /** Account that owns the domain, when it is not this one (its domain and repository policies must admit this role). */
    readonly ownerAccountId?: string;
  };
}

/** The account CI signs in to with GitHub's OIDC token. */
export interface GitHubEntryArgs extends SubjectSpec {
  /** Create the read-only preview role for pull requests. @default true */
  readonly previewOnPullRequests?: boolean;
  /** Use the account's existing provider for token.actions.githubusercontent.com (there can be one per account). */
  readonly existingOidcProviderArn?: pulumi.Input<string>;
  readonly release?: ReleaseArgs;
}

/** Pulumi's self-managed backend: the S3 bucket holding state and the KMS key of the `awskms` secrets provider. */
export interface StateBackendArgs {
  readonly bucketName: string;
  readonly kmsKeyArn?: string;
  /**
   * The Pulumi project and stack whose state these roles use: the bucket may hold every stage's state
   * (`Pulumi.prod.yaml`: same backend as pilot), so the roles reach only this stack's objects.
   */
  readonly project: string;
  readonly stack: string;
}

export interface GitHubDeployRolesArgs {
  /** Prefix of the roles' physical names: `<prefix>-ci-deploy`, `<prefix>-ci-preview`, `<prefix>-ci-release`. */
  readonly namePrefix: string;
  /** The account these roles live in (the provider's; used to tell same-account from cross-account trust). */
  readonly accountId: string;
  /** Set for the account CI signs in to (the stage's inference account). */
  readonly github?: GitHubEntryArgs;
  /** Set for the stage's other accounts: CI reaches them by chaining from the entry account's roles. */
  readonly chainFrom?: { readonly accountId: string; readonly organizationId?: string; readonly preview?: boolean };
  /** Accounts whose CI roles these roles chain into (Pulumi's per-account providers assume them). */
  readonly chainTo?: readonly string[];
  /**
   * Existing roles (not named with the prefix) the program attaches policies to in this account,
   * e.g. the source roles of cross-account access in a workload account.
   */
  readonly managedRoleNames?: readonly string[];
  /**
   * Which deploy permission groups (`DEPLOY_GROUPS` keys) this account's deploy role gets: what the
   * program deploys there. @default every group
   */
  readonly permissionGroups?: readonly string[];
  /** Regions CI may act in; everything else is denied (global services excepted). */
  readonly allowedRegions: readonly string[];
  readonly stateBackend?: StateBackendArgs;
  /**
   * The permissions boundary the CI roles carry: the account's workload boundary (`WorkloadBoundary`),
   * or one your organisation provides.
   */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
  /**
   * The account holds the stage's developer boundary (the inference account): CI may create and change
   * roles under it as well as under the account's workload boundary. Roles with neither it cannot touch.
   */
  readonly developerBoundary?: boolean;
  /** @default 3600 (1 hour, the most a CI session needs) */
  readonly maxSessionSeconds?: number;
  readonly tags?: Record<string, string>;
}

/**
 * The roles GitHub Actions uses to run Pulumi for one stage in one account, with no stored AWS keys:
 *
 * - **deploy** (`pulumi up`): trusted for `repo:<owner>/<repo>:environment:<env>` (with a branch as
 *   well: only on `refs/heads/<branch>`, GitHub's `ref` claim) or, without environments, for
 *   `repo:<owner>/<repo>:ref:refs/heads/<branch>`; audience `sts.amazonaws.com`, one-hour sessions;
 *   permissions are the service-scoped action lists of `perms.ts` (no `*`), one managed policy per group.
 *   Roles it creates or changes must carry one of the stage's permissions boundaries.
 * - **preview** (`pulumi preview` on pull requests): trusted for `repo:<owner>/<repo>:pull_request`;
 *   describe/get/list only, plus reading this stack's state objects; it cannot decrypt stack secrets.
 * - **release** (optional): trusted for a protected environment (and the release tags); publishes to
 *   CodeArtifact only.
 *
 * Every role carries the guardrail policy (explicit denies: no IAM users or keys, no changes to the CI
 * roles, their policies, the GitHub provider or the stage's boundaries, no role without a boundary, no
 * PassRole outside the program's services, no audit changes, nothing outside the stage's Regions).
 * Attachments are exclusive, so a policy attached by hand is detached on the next deploy. In the
 * stage's other accounts the roles trust only the entry account's roles of the same kind (role
 * chaining for Pulumi's per-account providers).
 */
export class GitHubDeployRoles extends pulumi.ComponentResource {
  readonly deployRole: aws.iam.Role;
  readonly deployRoleArn: pulumi.Output<string>;
  readonly previewRole?: aws.iam.Role;
  readonly previewRoleArn?: pulumi.Output<string>;
  readonly releaseRole?: aws.iam.Role;
  readonly releaseRoleArn?: pulumi.Output<string>;
  /** The GitHub OIDC provider (entry account only). */
  readonly oidcProviderArn?: pulumi.Output<string>;
  readonly guardrailPolicyArn: pulumi.Output<string>;

  constructor(name: string, args: GitHubDeployRolesArgs, opts: pulumi.ComponentResourceOptions = {}) {
    super("claude-code-bedrock:cicd:GitHubDeployRoles", name, {}, opts);
    const problems = [...validateDeployRoleArgs(args), ...validateExtra(args)];
    if (problems.length) throw new Error(`GitHubDeployRoles ${name}: ${problems.join("; ")}`);

    const parent = { parent: this };
    const env = awsEnvironment(this);
    const names = ciRoleNames(args.namePrefix);
    const own = (roleName: string) => roleArn(env.partition, args.accountId, roleName);
    const sessionSeconds = args.maxSessionSeconds ?? MAX_CI_SESSION_SECONDS;
    const wantPreview = args.github ? (args.github.previewOnPullRequests ?? true) : (args.chainFrom?.preview ?? true);

    // ---- Trust --------------------------------------------------------------------------------
    let providerArn: pulumi.Output<string> | undefined;
    if (args.github) {
      if (args.github.existingOidcProviderArn !== undefined) {
        providerArn = pulumi.output(args.github.existingOidcProviderArn);
      } else {
        // IAM trusts GitHub's certificate authority itself; the thumbprint list is no longer consulted.
        const provider = new aws.iam.OpenIdConnectProvider(
          `${name}-github-oidc`,
          {
            url: GITHUB_OIDC_URL,
            clientIdLists: [GITHUB_OIDC_AUDIENCE],
            tags: { ...args.tags, purpose: "github-actions" },
          },
          parent,
        );
        providerArn = provider.arn;
      }
      this.oidcProviderArn = providerArn;
    }
    /** GitHub's trust: aud and sub, and where asked the `ref` claim too (a GitHub key IAM evaluates besides `sub`). */
    const githubTrust = (sid: string, subjects: string[], refs: string[] = []): Statement => {
      const s = oidcTrustStatement({ providerArn: providerArn!, issuerKey: GITHUB_OIDC_HOST, audiences: [GITHUB_OIDC_AUDIENCE], subjects });
      const ref: Conditions | undefined = refs.length
        ? { [refs.some((r) => /[*?]/.test(r)) ? "StringLike" : "StringEquals"]: { [`${GITHUB_OIDC_HOST}:ref`]: refs } }
        : undefined;
      return { ...s, Sid: sid, Condition: mergeConditions(s.Condition, ref) };
    };
    const chainTrust = (kind: "deploy" | "preview"): Statement => {
      const from = args.chainFrom!;
      const callerArn = roleArn(env.partition, from.accountId, names[kind]);
      const root = accountRootArn(env.partition, from.accountId);
      if (from.accountId === args.accountId) {
        return {
          Sid: "ChainFromCi",
          Effect: "Allow",
          Principal: { AWS: root },
          Action: [...CHAIN_ACTIONS],
          Condition: { ArnEquals: { "aws:PrincipalArn": callerArn } },
        };
      }
      const s = accountTrustStatement({ principals: [root], organizationId: from.organizationId! });
      return { ...s, Sid: "ChainFromCi", Condition: { ...s.Condition, ArnEquals: { "aws:PrincipalArn": callerArn } } };
    };
    // The entry account's roles may also assume themselves: the stage's provider for this account
    // assumes `deployRoleArn` even when CI already holds that role.
    const selfTrust = (roleName: string): Statement => ({
      Sid: "SelfAssume",
      Effect: "Allow",
      Principal: { AWS: accountRootArn(env.partition, args.accountId) },
      Action: [...CHAIN_ACTIONS],
      Condition: { ArnEquals: { "aws:PrincipalArn": own(roleName) } },
    });

    const deployTrust = args.github
      ? [githubTrust("GitHubDeploy", deploySubjects(args.github), deployRefs(args.github)), selfTrust(names.deploy)]
      : [chainTrust("deploy")];
    const previewTrust = args.github
      ? [githubTrust("GitHubPreview", previewSubjects(args.github.repository)), selfTrust(names.preview)]
      : [chainTrust("preview")];

    // ---- Guardrails ---------------------------------------------------------------------------
    const guardrails = new aws.iam.Policy(
      `${name}-guardrails`,
      {
        name: names.guardrails,
        description:
          "Explicit denies for the CI roles: no long-lived identities, no self-modification, no unbounded roles, no audit changes, stage Regions only",
        policy: renderPolicy(policyDocument(...guardrailStatements(iamScope(args), env.partition))),
        tags: args.tags,
      },
      parent,
    );
    this.guardrailPolicyArn = guardrails.arn;

    const makeRole = (kind: "deploy" | "preview" | "release", description: string, trust: Statement[]) =>
      new aws.iam.Role(
        `${name}-${kind}`,
        {
          name: names[kind],
          description,
          assumeRolePolicy: renderPolicy(policyDocument(...trust)),
          maxSessionDuration: sessionSeconds,
          ...(args.permissionsBoundaryArn !== undefined ? { permissionsBoundary: args.permissionsBoundaryArn } : {}),
          tags: { ...args.tags, "ci-role": kind },
        },
        parent,
      );

    /** Managed policies, inline policies, and the exclusive attachment lists that keep hand-made additions out. */
    const permissions = (
      kind: "deploy" | "preview" | "release",
      role: aws.iam.Role,
      managed: { key: string; statements: Statement[] }[],
      inline: { key: string; statements: Statement[] }[],
    ) => {
      const arns: pulumi.Output<string>[] = [guardrails.arn];
      for (const m of managed) {
        const policy = new aws.iam.Policy(
          `${name}-${kind}-${m.key}`,
          {
            name: `${names[kind]}-${m.key}`,
            policy: renderPolicy(policyDocument(...m.statements)),
            tags: args.tags,
          },
          parent,
        );
        arns.push(policy.arn);
      }
      arns.forEach((policyArn, i) => {
        new aws.iam.RolePolicyAttachment(
          `${name}-${kind}-attach-${i === 0 ? "guardrails" : managed[i - 1]!.key}`,
          { role: role.name, policyArn },
          parent,
        );
      });
      new aws.iam.RolePolicyAttachmentsExclusive(`${name}-${kind}-attachments`, { roleName: role.name, policyArns: arns }, parent);
      const inlineNames: string[] = [];
      for (const p of inline) {
        const policyName = `${names[kind]}-${p.key}`;
        inlineNames.push(policyName);
        new aws.iam.RolePolicy(
          `${name}-${kind}-${p.key}`,
          { role: role.name, name: policyName, policy: renderPolicy(policyDocument(...p.statements)) },
          parent,
        );
      }
      new aws.iam.RolePoliciesExclusive(`${name}-${kind}-inline`, { roleName: role.name, policyNames: inlineNames }, parent);
    };

    const chainTargets = (kind: "deploy" | "preview") =>
      (args.chainTo ?? []).filter((a) => a !== args.accountId).map((a) => roleArn(env.partition, a, names[kind]));
    const state = (kind: "deploy" | "preview" | "release"): { key: string; statements: Statement[] }[] => {
      const b = args.stateBackend;
      if (!b) return [];
      const write = kind === "deploy";
      const bucket = arn(env.partition, "s3", "", "", b.bucketName);
      const paths = stateObjectPaths(b.project, b.stack);
      const at = (keys: readonly string[]) => keys.map((k) => pulumi.interpolate`${bucket}/${k}`);
      // Listing stays bucket-wide (key names only, never contents): S3 answers a read of a missing key
      // with 404 only to callers allowed ListBucket, else 403, and Pulumi probes `<stack>.json.gz` and
      // the lock directory on every operation; an `s3:prefix` condition is not evaluated on those probes.
      const statements: Statement[] = [allow([...STATE_BUCKET_LIST_ACTIONS], [bucket], { sid: "StateBucket" })];
      statements.push(allow([...STATE_OBJECT_READ_ACTIONS], at([STATE_META_KEY]), { sid: "StateBackendMeta" }));
      if (write)
        statements.push(
          allow([...STATE_OBJECT_WRITE_ACTIONS], at([...paths.checkpoints, paths.history, paths.backups, paths.locks]), {
            sid: "StateObjects",
          }),
        );
      else {
        statements.push(allow([...STATE_OBJECT_READ_ACTIONS], at(paths.checkpoints), { sid: "StateObjects" }));
        // A preview takes the stack lock like any operation of the self-managed backend (and reads a
        // lock another run holds, to name its holder).
        statements.push(allow(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], at([paths.locks]), { sid: "StateLocks" }));
      }
      if (b.kmsKeyArn) {
        if (kind === "preview") {
          // Pull requests run code under review, so the preview role never decrypts with the key directly:
          // that is how Pulumi unwraps the stack's data key, and with it every stack secret. It may decrypt
          // only what S3 decrypts for it: the state bucket's SSE-KMS objects, and S3 does that only for the
          // objects the role may read (this stack's, above). The lock object it writes is encrypted the same
          // way, through S3. (docs/ci-cd.md, "Previews")
          const s3 = `s3.${b.kmsKeyArn.split(":")[3]}.amazonaws.com`;
          statements.push(
            allow(["kms:Decrypt"], [b.kmsKeyArn], { sid: "StateObjectsThroughS3", conditions: { StringEquals: { "kms:ViaService": s3 } } }),
          );
          statements.push(
            allow(["kms:GenerateDataKey"], [b.kmsKeyArn], {
              sid: "StateLockEncryption",
              conditions: { StringEquals: { "kms:ViaService": s3 } },
            }),
          );
        } else {
          // Deploys encrypt secrets; a release reads the stack outputs (Pulumi unwraps the data key to load the stack).
          statements.push(allow(write ? [...SECRETS_ENCRYPT_ACTIONS] : [...SECRETS_DECRYPT_ACTIONS], [b.kmsKeyArn], { sid: "Secrets" }));
        }
      }
      return [{ key: "state", statements }];
    };
    const chain = (kind: "deploy" | "preview") => {
      const targets = [...chainTargets(kind), ...(args.github ? [own(names[kind])] : [])];
      return targets.length ? [{ key: "chain", statements: [allow([...CHAIN_ACTIONS], targets, { sid: "ChainToStageAccounts" })] }] : [];
    };

    // ---- Deploy -------------------------------------------------------------------------------
    this.deployRole = makeRole(
      "deploy",
      "GitHub Actions: pulumi up for this stage (main branch / protected environment only)",
      deployTrust,
    );
    this.deployRoleArn = this.deployRole.arn;
    permissions("deploy", this.deployRole, deployGroupStatements(env, args), [...chain("deploy"), ...state("deploy")]);

    // ---- Preview ------------------------------------------------------------------------------
    if (wantPreview) {
      this.previewRole = makeRole("preview", "GitHub Actions: read-only pulumi preview for pull requests", previewTrust);
      this.previewRoleArn = this.previewRole.arn;
      permissions(
        "preview",
        this.previewRole,
        [{ key: "read", statements: [allow(previewReadActions(args.permissionGroups), ["*"], { sid: "DescribeManagedResources" })] }],
        [...chain("preview"), ...state("preview")],
      );
    }

    // ---- Release ------------------------------------------------------------------------------
    const release = args.github?.release;
    if (release) {
      // The protected environment (required reviewers) in `sub`, the release tags in `ref`: both must hold.
      const releaseTrust = [githubTrust("GitHubRelease", releaseSubjects(args.github!.repository, release), releaseRefs(release))];
      this.releaseRole = makeRole(
        "release",
        "GitHub Actions: publish the credential helper to CodeArtifact, after review in a protected environment",
        releaseTrust,
      );
      this.releaseRoleArn = this.releaseRole.arn;
      permissions(
        "release",
        this.releaseRole,
        [],
        [
          { key: "publish", statements: releaseStatements(env, args.accountId, release) },
          ...state("release").map((s) => ({ ...s, statements: s.statements.filter((x) => x.Sid !== "StateLocks") })),
        ],
      );
    }

    this.registerOutputs({
      deployRoleArn: this.deployRoleArn,
      previewRoleArn: this.previewRoleArn,
      releaseRoleArn: this.releaseRoleArn,
      oidcProviderArn: this.oidcProviderArn,
      guardrailPolicyArn: this.guardrailPolicyArn,
    });
  }
}

const PULUMI_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
const NPM_SCOPED_NAME = /^@([a-z0-9][a-z0-9._-]*)\/([a-z0-9][a-z0-9._-]*)$/;

function validateExtra(a: GitHubDeployRolesArgs): string[] {
  const problems: string[] = [];
  if (!ACCOUNT_ID.test(a.accountId)) problems.push(`\`accountId\` "${a.accountId}" must be 12 digits`);
  const groupKeys = DEPLOY_GROUPS.map((g) => g.key);
  for (const k of a.permissionGroups ?? [])
    if (!groupKeys.includes(k)) problems.push(`\`permissionGroups\`: "${k}" is not one of ${groupKeys.join(", ")}`);
  for (const n of a.managedRoleNames ?? [])
    if (!ROLE_NAME.test(n)) problems.push(`\`managedRoleNames\`: "${n}" is not an IAM role name (no wildcards)`);
  for (const t of a.chainTo ?? []) if (!ACCOUNT_ID.test(t)) problems.push(`\`chainTo\`: "${t}" must be a 12-digit account id`);
  if (a.chainTo?.length && !a.github) problems.push("`chainTo` is for the entry account (the one with `github`)");
  const ca = a.github?.release?.codeArtifact;
  if (ca) {
    if (!CODEARTIFACT_DOMAIN.test(ca.domain))
      problems.push(`\`github.release.codeArtifact.domain\` "${ca.domain}" is not a CodeArtifact domain name`);
    if (!CODEARTIFACT_REPOSITORY.test(ca.repository))
      problems.push(`\`github.release.codeArtifact.repository\` "${ca.repository}" is not a CodeArtifact repository name`);
    if (!NPM_SCOPED_NAME.test(ca.packageName))
      problems.push(`\`github.release.codeArtifact.packageName\` "${ca.packageName}" must be a scoped npm name (@scope/name)`);
    if (ca.ownerAccountId !== undefined && !ACCOUNT_ID.test(ca.ownerAccountId))
      problems.push(`\`github.release.codeArtifact.ownerAccountId\` "${ca.ownerAccountId}" must be 12 digits`);
  }
  if (a.stateBackend) {
    if (!S3_BUCKET_NAME.test(a.stateBackend.bucketName))
      problems.push(`\`stateBackend.bucketName\` "${a.stateBackend.bucketName}" is not an S3 bucket name`);
    for (const k of ["project", "stack"] as const) {
      if (!PULUMI_NAME.test(a.stateBackend[k] ?? ""))
        problems.push(`\`stateBackend.${k}\` "${a.stateBackend[k]}" must be a Pulumi ${k} name (letters, digits, -, _, .; no wildcards)`);
    }
    if (
      a.stateBackend.kmsKeyArn !== undefined &&
      !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-f0-9-]{36}$|^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/mrk-[a-f0-9]{32}$/.test(
        a.stateBackend.kmsKeyArn,
      )
    )
      problems.push(
        "`stateBackend.kmsKeyArn` must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); IAM does not match alias ARNs",
      );
  }
  return problems;
}

/** Actions that get their own, narrower statement instead of the group's `Resource: *` one. */
const SCOPED_ACTIONS = new Set<string>([
  ...IAM_ROLE_WRITE_ACTIONS,
  ...IAM_POLICY_WRITE_ACTIONS,
  ...IAM_OIDC_WRITE_ACTIONS,
  ...KMS_VIA_SERVICE_ACTIONS,
  ...KMS_GRANT_ACTIONS,
  ...APIGATEWAY_DEPLOY_ACTIONS,
]);

/** The deploy role's managed policies: one per permission group, with resources and conditions where IAM allows them. */
function deployGroupStatements(env: AwsEnvironment, args: GitHubDeployRolesArgs): { key: string; statements: Statement[] }[] {
  const iamArn = (resource: string) => pulumi.interpolate`arn:${env.partition}:iam::${args.accountId}:${resource}`;
  const regions = args.allowedRegions;
  const wanted = args.permissionGroups ?? DEPLOY_GROUPS.map((g) => g.key);
  return DEPLOY_GROUPS.filter((g) => wanted.includes(g.key)).map((g) => {
    const statements: Statement[] = [];
    const plain = g.actions.filter((a) => !SCOPED_ACTIONS.has(a));
    const sid = `Manage${g.key[0]!.toUpperCase()}${g.key.slice(1)}`;
    if (g.key === "identity") {
      statements.push(
        allow(
          plain.filter((a) => !a.startsWith("iam:")),
          ["*"],
          { sid },
        ),
      );
      statements.push(allow(IAM_READ_ACTIONS, ["*"], { sid: "ReadIam" }));
      const roles = [iamArn(`role/${args.namePrefix}-*`)];
      // Delegated administration: every write that can give a role more requires the role to carry one of
      // the stage's permissions boundaries, so whatever CI writes into a role, the boundary caps it.
      const bounded = { StringEquals: { "iam:PermissionsBoundary": stageBoundaryArns(env.partition, iamScope(args)) } };
      statements.push(
        allow(
          IAM_ROLE_WRITE_ACTIONS.filter((a) => !BOUNDED_ROLE_WRITE_ACTIONS.includes(a)),
          roles,
          { sid: "ManageStageRoles" },
        ),
      );
      statements.push(
        allow(
          BOUNDED_ROLE_WRITE_ACTIONS.filter((a) => a !== "iam:AttachRolePolicy"),
          roles,
          { sid: "ManageStageRolesUnderBoundaries", conditions: bounded },
        ),
      );
      // Existing roles the program only adds an inline policy to (`CrossAccountRole.grantAssumeFrom`):
      // that policy and nothing else; their trust, attachments and lifecycle stay their owners'. They
      // are not the stage's and carry no boundary of it: the one role write CI makes without one.
      const managed = (args.managedRoleNames ?? []).map((n) => iamArn(`role/${n}`));
      if (managed.length)
        statements.push(allow([...MANAGED_ROLE_INLINE_POLICY_ACTIONS], managed, { sid: "ManageInlinePoliciesOfNamedRoles" }));
      statements.push(
        allow(["iam:AttachRolePolicy"], roles, {
          sid: "AttachStageOrServicePolicies",
          conditions: {
            ArnLike: {
              "iam:PolicyARN": [
                iamArn(`policy/${args.namePrefix}-*`),
                pulumi.interpolate`arn:${env.partition}:iam::aws:policy/service-role/*`,
              ],
            },
            ...bounded,
          },
        }),
      );
      statements.push(allow(IAM_POLICY_WRITE_ACTIONS, [iamArn(`policy/${args.namePrefix}-*`)], { sid: "ManageStagePolicies" }));
      statements.push(allow(IAM_OIDC_WRITE_ACTIONS, [iamArn("oidc-provider/*")], { sid: "ManageOidcProviders" }));
      statements.push(
        allow([...PASS_ROLE_ACTIONS], [iamArn(`role/${args.namePrefix}-*`)], {
          sid: "PassStageRolesToProgramServices",
          conditions: { StringEquals: { "iam:PassedToService": [...PASS_ROLE_SERVICES] } },
        }),
      );
      if (wanted.includes("observability")) {
        // CloudWatch Logs' PutSubscriptionFilter checks PassRole without iam:PassedToService: this one role, unconditioned.
        statements.push(
          allow([...PASS_ROLE_ACTIONS], [iamArn(`role/${analyticsSubscriptionRoleName(args.namePrefix)}`)], {
            sid: "PassLogsSubscriptionRole",
          }),
        );
      }
      statements.push(
        allow([...SERVICE_LINKED_ROLE_ACTIONS], [iamArn("role/aws-service-role/*")], {
          sid: "ServiceLinkedRoles",
          conditions: { StringEquals: { "iam:AWSServiceName": [...SERVICE_LINKED_ROLE_SERVICES] } },
        }),
      );
      statements.push(
        allow(KMS_VIA_SERVICE_ACTIONS, ["*"], {
          sid: "UseKeysThroughServices",
          conditions: {
            StringEquals: { "kms:ViaService": regions.flatMap((r) => KMS_VIA_SERVICES.map((svc) => `${svc}.${r}.amazonaws.com`)) },
          },
        }),
      );
      statements.push(
        allow(KMS_GRANT_ACTIONS, ["*"], { sid: "GrantsForAwsResources", conditions: { Bool: { "kms:GrantIsForAWSResource": "true" } } }),
      );
    } else if (plain.length) {
      statements.push(allow(plain, ["*"], { sid }));
    }
    if (g.key === "data") {
      // The one object the program writes itself: the analytics pricing table, in a bucket of the stage.
      statements.push(
        allow(
          ["s3:DeleteObject", "s3:GetObject", "s3:GetObjectTagging", "s3:PutObject", "s3:PutObjectTagging"],
          [pulumi.interpolate`arn:${env.partition}:s3:::${args.namePrefix}-*/${PRICING_OBJECT_KEY}`],
          { sid: "WriteAnalyticsPricingTable" },
        ),
      );
    }
    if (g.actions.some((a) => a.startsWith("apigateway:"))) {
      // API Gateway authorises by verb on a path: only the HTTP APIs and their tags.
      const paths = regions.flatMap((r) =>
        ["/apis", "/apis/*", "/tags/*"].map((p) => pulumi.interpolate`arn:${env.partition}:apigateway:${r}::${p}`),
      );
      statements.push(allow([...APIGATEWAY_DEPLOY_ACTIONS], paths, { sid: "ManageHttpApis" }));
    }
    return { key: g.key, statements };
  });
}

function releaseStatements(env: AwsEnvironment, accountId: string, r: ReleaseArgs): Statement[] {
  const { domain, repository, packageName } = r.codeArtifact;
  const [, scope, pkg] = NPM_SCOPED_NAME.exec(packageName)!;
  const owner = r.codeArtifact.ownerAccountId ?? accountId;
  const ca = (resource: string) => arn(env.partition, "codeartifact", env.region, owner, resource);
  return [
    allow([...RELEASE_TOKEN_ACTIONS], [ca(`domain/${domain}`)], { sid: "RegistryToken" }),
    allow([...RELEASE_BEARER_ACTIONS], ["*"], {
      sid: "CodeArtifactBearer",
      conditions: { StringEquals: { "sts:AWSServiceName": "codeartifact.amazonaws.com" } },
    }),
    allow([...RELEASE_REPOSITORY_ACTIONS], [ca(`repository/${domain}/${repository}`)], { sid: "Repository" }),
    allow(
      [...RELEASE_PACKAGE_ACTIONS],
      [
        ca(`package/${domain}/${repository}/npm/${scope}/${pkg}`),
        ca(`package/${domain}/${repository}/generic/${scope}/${pkg}-executables`),
      ],
      { sid: "HelperPackages" },
    ),
  ];
}

/** The stage's IAM footprint in this account, as the guardrails (and the workload boundary) protect it. */
function iamScope(args: GitHubDeployRolesArgs): StageIamScope {
  return {
    namePrefix: args.namePrefix,
    accountId: args.accountId,
    allowedRegions: args.allowedRegions,
    ...(args.stateBackend
      ? {
          stateBackend: {
            bucketName: args.stateBackend.bucketName,
            ...(args.stateBackend.kmsKeyArn ? { kmsKeyArn: args.stateBackend.kmsKeyArn } : {}),
          },
        }
      : {}),
    ...(args.managedRoleNames?.length ? { managedRoleNames: args.managedRoleNames } : {}),
    ...(args.developerBoundary ? { developerBoundary: true } : {}),
  };
}
