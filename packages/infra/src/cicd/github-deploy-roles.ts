import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { analyticsSubscriptionRoleName } from "../analytics/analytics-pipeline";
import { PRICING_OBJECT_KEY } from "../analytics/schema";
import {
  accountRootArn, accountTrustStatement, allow, arn, awsEnvironment, deny, oidcProviderArn, oidcTrustStatement, policyDocument, renderPolicy, roleArn,
  type AwsEnvironment, type Statement,
} from "../iam";
import {
  APIGATEWAY_DEPLOY_ACTIONS, CHAIN_ACTIONS, previewReadActions, IAM_OIDC_WRITE_ACTIONS, IAM_POLICY_WRITE_ACTIONS, IAM_READ_ACTIONS, IAM_ROLE_WRITE_ACTIONS,
  KMS_GRANT_ACTIONS, KMS_VIA_SERVICE_ACTIONS, KMS_VIA_SERVICES, MANAGED_ROLE_INLINE_POLICY_ACTIONS, DENIED_AUDIT_ACTIONS, DENIED_LONG_LIVED_IDENTITY_ACTIONS, DEPLOY_GROUPS, GLOBAL_SERVICE_ACTIONS,
  PASS_ROLE_ACTIONS, PASS_ROLE_SERVICES, RELEASE_BEARER_ACTIONS, RELEASE_PACKAGE_ACTIONS, RELEASE_REPOSITORY_ACTIONS,
  RELEASE_TOKEN_ACTIONS, SECRETS_DECRYPT_ACTIONS, SECRETS_ENCRYPT_ACTIONS, SERVICE_LINKED_ROLE_ACTIONS, SERVICE_LINKED_ROLE_SERVICES,
  STATE_BUCKET_LIST_ACTIONS, STATE_META_KEY, STATE_OBJECT_READ_ACTIONS, STATE_OBJECT_WRITE_ACTIONS, stateObjectPaths,
} from "./perms";
import {
  ciRoleNames, deploySubjects, GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, GITHUB_OIDC_URL, MAX_CI_SESSION_SECONDS, previewSubjects, releaseSubjects,
  type SubjectSpec, validateDeployRoleArgs,
} from "./validate";
import { ACCOUNT_ID, CODEARTIFACT_DOMAIN, CODEARTIFACT_REPOSITORY, ROLE_NAME, S3_BUCKET_NAME } from "../naming/patterns";

/** Publishing the credential helper from a tag (see `.github/workflows/release-helper.yml`). */
export interface ReleaseArgs {
  /** Tag pushes that may publish, e.g. `helper-v*` (`ref:refs/tags/<pattern>`). */
  readonly tagPattern?: string;
  /** Or: jobs in this protected GitHub environment may publish. */
  readonly environment?: string;
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
  /** An organisation-provided permissions boundary for the CI roles (see docs/ci-cd.md for why none is created here). */
  readonly permissionsBoundaryArn?: pulumi.Input<string>;
  /** @default 3600 (1 hour, the most a CI session needs) */
  readonly maxSessionSeconds?: number;
  readonly tags?: Record<string, string>;
}

/**
 * The roles GitHub Actions uses to run Pulumi for one stage in one account, with no stored AWS keys:
 *
 * - **deploy** (`pulumi up`): trusted for `repo:<owner>/<repo>:ref:refs/heads/<branch>` and/or
 *   `repo:<owner>/<repo>:environment:<env>` only, audience `sts.amazonaws.com`, one-hour sessions;
 *   permissions are the service-scoped action lists of `perms.ts` (no `*`), one managed policy per group.
 * - **preview** (`pulumi preview` on pull requests): trusted for `repo:<owner>/<repo>:pull_request`;
 *   describe/get/list only, plus reading state.
 * - **release** (optional): trusted for the helper's release tags; publishes to CodeArtifact only.
 *
 * Every role carries the guardrail policy (explicit denies: no IAM users or keys, no changes to the CI
 * roles, their policies or the GitHub provider, no PassRole outside the program's services, no audit
 * changes, nothing outside the stage's Regions). Attachments are exclusive, so a policy attached by
 * hand is detached on the next deploy. In the stage's other accounts the roles trust only the entry
 * account's roles of the same kind (role chaining for Pulumi's per-account providers).
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
        const provider = new aws.iam.OpenIdConnectProvider(`${name}-github-oidc`, {
          url: GITHUB_OIDC_URL,
          clientIdLists: [GITHUB_OIDC_AUDIENCE],
          tags: { ...args.tags, purpose: "github-actions" },
        }, parent);
        providerArn = provider.arn;
      }
      this.oidcProviderArn = providerArn;
    }
    const githubTrust = (sid: string, subjects: string[]): Statement => ({
      ...oidcTrustStatement({ providerArn: providerArn!, issuerKey: GITHUB_OIDC_HOST, audiences: [GITHUB_OIDC_AUDIENCE], subjects }),
      Sid: sid,
    });
    const chainTrust = (kind: "deploy" | "preview"): Statement => {
      const from = args.chainFrom!;
      const callerArn = roleArn(env.partition, from.accountId, names[kind]);
      const root = accountRootArn(env.partition, from.accountId);
      if (from.accountId === args.accountId) {
        return { Sid: "ChainFromCi", Effect: "Allow", Principal: { AWS: root }, Action: [...CHAIN_ACTIONS], Condition: { ArnEquals: { "aws:PrincipalArn": callerArn } } };
      }
      const s = accountTrustStatement({ principals: [root], organizationId: from.organizationId! });
      return { ...s, Sid: "ChainFromCi", Condition: { ...s.Condition, ArnEquals: { "aws:PrincipalArn": callerArn } } };
    };
    // The entry account's roles may also assume themselves: the stage's provider for this account
    // assumes `deployRoleArn` even when CI already holds that role.
    const selfTrust = (roleName: string): Statement => ({
      Sid: "SelfAssume", Effect: "Allow", Principal: { AWS: accountRootArn(env.partition, args.accountId) }, Action: [...CHAIN_ACTIONS],
      Condition: { ArnEquals: { "aws:PrincipalArn": own(roleName) } },
    });

    const deployTrust = args.github
      ? [githubTrust("GitHubDeploy", deploySubjects(args.github)), selfTrust(names.deploy)]
      : [chainTrust("deploy")];
    const previewTrust = args.github ? [githubTrust("GitHubPreview", previewSubjects(args.github.repository)), selfTrust(names.preview)] : [chainTrust("preview")];

    // ---- Guardrails ---------------------------------------------------------------------------
    const guardrails = new aws.iam.Policy(`${name}-guardrails`, {
      name: names.guardrails,
      description: "Explicit denies for the CI roles: no long-lived identities, no self-modification, no audit changes, stage Regions only",
      policy: renderPolicy(policyDocument(...guardrailStatements(args, env))),
      tags: args.tags,
    }, parent);
    this.guardrailPolicyArn = guardrails.arn;

    const makeRole = (kind: "deploy" | "preview" | "release", description: string, trust: Statement[]) =>
      new aws.iam.Role(`${name}-${kind}`, {
        name: names[kind],
        description,
        assumeRolePolicy: renderPolicy(policyDocument(...trust)),
        maxSessionDuration: sessionSeconds,
        ...(args.permissionsBoundaryArn !== undefined ? { permissionsBoundary: args.permissionsBoundaryArn } : {}),
        tags: { ...args.tags, "ci-role": kind },
      }, parent);

    /** Managed policies, inline policies, and the exclusive attachment lists that keep hand-made additions out. */
    const permissions = (kind: "deploy" | "preview" | "release", role: aws.iam.Role, managed: { key: string; statements: Statement[] }[], inline: { key: string; statements: Statement[] }[]) => {
      const arns: pulumi.Output<string>[] = [guardrails.arn];
      for (const m of managed) {
        const policy = new aws.iam.Policy(`${name}-${kind}-${m.key}`, {
          name: `${names[kind]}-${m.key}`,
          policy: renderPolicy(policyDocument(...m.statements)),
          tags: args.tags,
        }, parent);
        arns.push(policy.arn);
      }
      arns.forEach((policyArn, i) => {
        new aws.iam.RolePolicyAttachment(`${name}-${kind}-attach-${i === 0 ? "guardrails" : managed[i - 1]!.key}`, { role: role.name, policyArn }, parent);
      });
      new aws.iam.RolePolicyAttachmentsExclusive(`${name}-${kind}-attachments`, { roleName: role.name, policyArns: arns }, parent);
      const inlineNames: string[] = [];
      for (const p of inline) {
        const policyName = `${names[kind]}-${p.key}`;
        inlineNames.push(policyName);
        new aws.iam.RolePolicy(`${name}-${kind}-${p.key}`, { role: role.name, name: policyName, policy: renderPolicy(policyDocument(...p.statements)) }, parent);
      }
      new aws.iam.RolePoliciesExclusive(`${name}-${kind}-inline`, { roleName: role.name, policyNames: inlineNames }, parent);
    };

    const chainTargets = (kind: "deploy" | "preview") => (args.chainTo ?? []).filter((a) => a !== args.accountId).map((a) => roleArn(env.partition, a, names[kind]));
    const state = (write: boolean): { key: string; statements: Statement[] }[] => {
      const b = args.stateBackend;
      if (!b) return [];
      const bucket = arn(env.partition, "s3", "", "", b.bucketName);
      const paths = stateObjectPaths(b.project, b.stack);
      const at = (keys: readonly string[]) => keys.map((k) => pulumi.interpolate`${bucket}/${k}`);
      // Listing stays bucket-wide (key names only, never contents): S3 answers a read of a missing key
      // with 404 only to callers allowed ListBucket, else 403, and Pulumi probes `<stack>.json.gz` and
      // the lock directory on every operation; an `s3:prefix` condition is not evaluated on those probes.
      const statements: Statement[] = [allow([...STATE_BUCKET_LIST_ACTIONS], [bucket], { sid: "StateBucket" })];
      statements.push(allow([...STATE_OBJECT_READ_ACTIONS], at([STATE_META_KEY]), { sid: "StateBackendMeta" }));
      if (write) statements.push(allow([...STATE_OBJECT_WRITE_ACTIONS], at([...paths.checkpoints, paths.history, paths.backups, paths.locks]), { sid: "StateObjects" }));
      else {
        statements.push(allow([...STATE_OBJECT_READ_ACTIONS], at(paths.checkpoints), { sid: "StateObjects" }));
        // A preview takes the stack lock like any operation of the self-managed backend (and reads a
        // lock another run holds, to name its holder).
        statements.push(allow(["s3:DeleteObject", "s3:GetObject", "s3:PutObject"], at([paths.locks]), { sid: "StateLocks" }));
      }
      if (b.kmsKeyArn) {
        statements.push(allow(write ? [...SECRETS_ENCRYPT_ACTIONS] : [...SECRETS_DECRYPT_ACTIONS], [b.kmsKeyArn], { sid: "Secrets" }));
        // The lock object is written with the bucket's SSE-KMS key: a data key, only through S3.
        if (!write) statements.push(allow(["kms:GenerateDataKey"], [b.kmsKeyArn], { sid: "StateLockEncryption", conditions: { StringLike: { "kms:ViaService": "s3.*.amazonaws.com" } } }));
      }
      return [{ key: "state", statements }];
    };
    const chain = (kind: "deploy" | "preview") => {
      const targets = [...chainTargets(kind), ...(args.github ? [own(names[kind])] : [])];
      return targets.length ? [{ key: "chain", statements: [allow([...CHAIN_ACTIONS], targets, { sid: "ChainToStageAccounts" })] }] : [];
    };

    // ---- Deploy -------------------------------------------------------------------------------
    this.deployRole = makeRole("deploy", "GitHub Actions: pulumi up for this stage (main branch / protected environment only)", deployTrust);
    this.deployRoleArn = this.deployRole.arn;
    permissions("deploy", this.deployRole, deployGroupStatements(env, args), [...chain("deploy"), ...state(true)]);

    // ---- Preview ------------------------------------------------------------------------------
    if (wantPreview) {
      this.previewRole = makeRole("preview", "GitHub Actions: read-only pulumi preview for pull requests", previewTrust);
      this.previewRoleArn = this.previewRole.arn;
      permissions("preview", this.previewRole, [{ key: "read", statements: [allow(previewReadActions(args.permissionGroups), ["*"], { sid: "DescribeManagedResources" })] }], [...chain("preview"), ...state(false)]);
    }

    // ---- Release ------------------------------------------------------------------------------
    const release = args.github?.release;
    if (release) {
      // Tag patterns need StringLike, environments StringEquals: one statement each (IAM ANDs operators within one).
      const releaseTrust = [
        ...(release.tagPattern ? [githubTrust("GitHubReleaseTag", releaseSubjects(args.github!.repository, { tagPattern: release.tagPattern }))] : []),
        ...(release.environment ? [githubTrust("GitHubReleaseEnvironment", releaseSubjects(args.github!.repository, { environment: release.environment }))] : []),
      ];
      this.releaseRole = makeRole("release", "GitHub Actions: publish the credential helper to CodeArtifact from a release tag", releaseTrust);
      this.releaseRoleArn = this.releaseRole.arn;
      permissions("release", this.releaseRole, [], [{ key: "publish", statements: releaseStatements(env, args.accountId, release) }, ...state(false).map((s) => ({ ...s, statements: s.statements.filter((x) => x.Sid !== "StateLocks" && x.Sid !== "StateLockEncryption") }))]);
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
  for (const k of a.permissionGroups ?? []) if (!groupKeys.includes(k)) problems.push(`\`permissionGroups\`: "${k}" is not one of ${groupKeys.join(", ")}`);
  for (const n of a.managedRoleNames ?? []) if (!ROLE_NAME.test(n)) problems.push(`\`managedRoleNames\`: "${n}" is not an IAM role name (no wildcards)`);
  for (const t of a.chainTo ?? []) if (!ACCOUNT_ID.test(t)) problems.push(`\`chainTo\`: "${t}" must be a 12-digit account id`);
  if (a.chainTo?.length && !a.github) problems.push("`chainTo` is for the entry account (the one with `github`)");
  const ca = a.github?.release?.codeArtifact;
  if (ca) {
    if (!CODEARTIFACT_DOMAIN.test(ca.domain)) problems.push(`\`github.release.codeArtifact.domain\` "${ca.domain}" is not a CodeArtifact domain name`);
    if (!CODEARTIFACT_REPOSITORY.test(ca.repository)) problems.push(`\`github.release.codeArtifact.repository\` "${ca.repository}" is not a CodeArtifact repository name`);
    if (!NPM_SCOPED_NAME.test(ca.packageName)) problems.push(`\`github.release.codeArtifact.packageName\` "${ca.packageName}" must be a scoped npm name (@scope/name)`);
    if (ca.ownerAccountId !== undefined && !ACCOUNT_ID.test(ca.ownerAccountId)) problems.push(`\`github.release.codeArtifact.ownerAccountId\` "${ca.ownerAccountId}" must be 12 digits`);
  }
  if (a.stateBackend) {
    if (!S3_BUCKET_NAME.test(a.stateBackend.bucketName)) problems.push(`\`stateBackend.bucketName\` "${a.stateBackend.bucketName}" is not an S3 bucket name`);
    for (const k of ["project", "stack"] as const) {
      if (!PULUMI_NAME.test(a.stateBackend[k] ?? "")) problems.push(`\`stateBackend.${k}\` "${a.stateBackend[k]}" must be a Pulumi ${k} name (letters, digits, -, _, .; no wildcards)`);
    }
    if (a.stateBackend.kmsKeyArn !== undefined && !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[a-f0-9-]{36}$|^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/mrk-[a-f0-9]{32}$/.test(a.stateBackend.kmsKeyArn)) problems.push("`stateBackend.kmsKeyArn` must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>); IAM does not match alias ARNs");
  }
  return problems;
}

/** Actions that get their own, narrower statement instead of the group's `Resource: *` one. */
const SCOPED_ACTIONS = new Set<string>([...IAM_ROLE_WRITE_ACTIONS, ...IAM_POLICY_WRITE_ACTIONS, ...IAM_OIDC_WRITE_ACTIONS, ...KMS_VIA_SERVICE_ACTIONS, ...KMS_GRANT_ACTIONS, ...APIGATEWAY_DEPLOY_ACTIONS]);

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
      statements.push(allow(plain.filter((a) => !a.startsWith("iam:")), ["*"], { sid }));
      statements.push(allow(IAM_READ_ACTIONS, ["*"], { sid: "ReadIam" }));
      const roles = [iamArn(`role/${args.namePrefix}-*`)];
      statements.push(allow(IAM_ROLE_WRITE_ACTIONS.filter((a) => a !== "iam:AttachRolePolicy"), roles, { sid: "ManageStageRoles" }));
      // Existing roles the program only adds an inline policy to (`CrossAccountRole.grantAssumeFrom`):
      // that policy and nothing else; their trust, attachments and lifecycle stay their owners'.
      const managed = (args.managedRoleNames ?? []).map((n) => iamArn(`role/${n}`));
      if (managed.length) statements.push(allow([...MANAGED_ROLE_INLINE_POLICY_ACTIONS], managed, { sid: "ManageInlinePoliciesOfNamedRoles" }));
      statements.push(allow(["iam:AttachRolePolicy"], roles, {
        sid: "AttachStageOrServicePolicies",
        conditions: { ArnLike: { "iam:PolicyARN": [iamArn(`policy/${args.namePrefix}-*`), pulumi.interpolate`arn:${env.partition}:iam::aws:policy/service-role/*`] } },
      }));
      statements.push(allow(IAM_POLICY_WRITE_ACTIONS, [iamArn(`policy/${args.namePrefix}-*`)], { sid: "ManageStagePolicies" }));
      statements.push(allow(IAM_OIDC_WRITE_ACTIONS, [iamArn("oidc-provider/*")], { sid: "ManageOidcProviders" }));
      statements.push(allow([...PASS_ROLE_ACTIONS], [iamArn(`role/${args.namePrefix}-*`)], { sid: "PassStageRolesToProgramServices", conditions: { StringEquals: { "iam:PassedToService": [...PASS_ROLE_SERVICES] } } }));
      if (wanted.includes("observability")) {
        // CloudWatch Logs' PutSubscriptionFilter checks PassRole without iam:PassedToService: this one role, unconditioned.
        statements.push(allow([...PASS_ROLE_ACTIONS], [iamArn(`role/${analyticsSubscriptionRoleName(args.namePrefix)}`)], { sid: "PassLogsSubscriptionRole" }));
      }
      statements.push(allow([...SERVICE_LINKED_ROLE_ACTIONS], [iamArn("role/aws-service-role/*")], { sid: "ServiceLinkedRoles", conditions: { StringEquals: { "iam:AWSServiceName": [...SERVICE_LINKED_ROLE_SERVICES] } } }));
      statements.push(allow(KMS_VIA_SERVICE_ACTIONS, ["*"], {
        sid: "UseKeysThroughServices",
        conditions: { StringEquals: { "kms:ViaService": regions.flatMap((r) => KMS_VIA_SERVICES.map((svc) => `${svc}.${r}.amazonaws.com`)) } },
      }));
      statements.push(allow(KMS_GRANT_ACTIONS, ["*"], { sid: "GrantsForAwsResources", conditions: { Bool: { "kms:GrantIsForAWSResource": "true" } } }));
    } else if (plain.length) {
      statements.push(allow(plain, ["*"], { sid }));
    }
    if (g.key === "data") {
      // The one object the program writes itself: the analytics pricing table, in a bucket of the stage.
      statements.push(allow(["s3:DeleteObject", "s3:GetObject", "s3:GetObjectTagging", "s3:PutObject", "s3:PutObjectTagging"], [pulumi.interpolate`arn:${env.partition}:s3:::${args.namePrefix}-*/${PRICING_OBJECT_KEY}`], { sid: "WriteAnalyticsPricingTable" }));
    }
    if (g.actions.some((a) => a.startsWith("apigateway:"))) {
      // API Gateway authorises by verb on a path: only the HTTP APIs and their tags.
      const paths = regions.flatMap((r) => ["/apis", "/apis/*", "/tags/*"].map((p) => pulumi.interpolate`arn:${env.partition}:apigateway:${r}::${p}`));
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
    allow([...RELEASE_BEARER_ACTIONS], ["*"], { sid: "CodeArtifactBearer", conditions: { StringEquals: { "sts:AWSServiceName": "codeartifact.amazonaws.com" } } }),
    allow([...RELEASE_REPOSITORY_ACTIONS], [ca(`repository/${domain}/${repository}`)], { sid: "Repository" }),
    allow([...RELEASE_PACKAGE_ACTIONS], [ca(`package/${domain}/${repository}/npm/${scope}/${pkg}`), ca(`package/${domain}/${repository}/generic/${scope}/${pkg}-executables`)], { sid: "HelperPackages" }),
  ];
}

function guardrailStatements(args: GitHubDeployRolesArgs, env: AwsEnvironment): Statement[] {
  const iamArn = (resource: string) => pulumi.interpolate`arn:${env.partition}:iam::${args.accountId}:${resource}`;
  const ciRoles = iamArn(`role/${args.namePrefix}-ci-*`);
  const ciPolicies = iamArn(`policy/${args.namePrefix}-ci-*`);
  const subscriptionRole = iamArn(`role/${analyticsSubscriptionRoleName(args.namePrefix)}`);
  const statements: Statement[] = [
    deny(DENIED_LONG_LIVED_IDENTITY_ACTIONS, ["*"], { sid: "DenyLongLivedIdentities" }),
    // CI cannot change who may act as CI or what CI may do: an administrator applies those changes.
    deny([
      "iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary", "iam:DeleteRolePolicy", "iam:DetachRolePolicy",
      "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:TagRole", "iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "iam:UpdateRoleDescription",
    ], [ciRoles], { sid: "DenyCiRoleChanges" }),
    deny(["iam:CreatePolicy", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:TagPolicy", "iam:UntagPolicy"], [ciPolicies], { sid: "DenyCiPolicyChanges" }),
    deny(["iam:AddClientIDToOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider", "iam:RemoveClientIDFromOpenIDConnectProvider", "iam:TagOpenIDConnectProvider", "iam:UntagOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint"],
      [oidcProviderArn(env.partition, args.accountId, GITHUB_OIDC_HOST)], { sid: "DenyGitHubProviderChanges" }),
    // A request without iam:PassedToService makes StringNotEquals true, so this denies it: right for every
    // role but the analytics subscription role, which PutSubscriptionFilter passes without the key. That
    // role is left out here (NotResource) and gets its own deny below: no service other than Logs.
    {
      Sid: "DenyPassRoleElsewhere", Effect: "Deny", Action: [...PASS_ROLE_ACTIONS], NotResource: [subscriptionRole],
      Condition: { StringNotEquals: { "iam:PassedToService": [...PASS_ROLE_SERVICES] } },
    },
    deny([...PASS_ROLE_ACTIONS], [subscriptionRole], {
      sid: "DenyPassingSubscriptionRoleElsewhere",
      conditions: { Null: { "iam:PassedToService": "false" }, StringNotEquals: { "iam:PassedToService": "logs.amazonaws.com" } },
    }),
    deny([...PASS_ROLE_ACTIONS], [ciRoles], { sid: "DenyPassingCiRoles" }),
    deny(DENIED_AUDIT_ACTIONS, ["*"], { sid: "DenyAuditAndAccountChanges" }),
    {
      Sid: "DenyOutsideStageRegions",
      Effect: "Deny",
      NotAction: [...GLOBAL_SERVICE_ACTIONS],
      Resource: ["*"],
      Condition: { StringNotEquals: { "aws:RequestedRegion": [...new Set(args.allowedRegions)] } },
    },
  ];
  if (args.stateBackend) {
    const bucket = arn(env.partition, "s3", "", "", args.stateBackend.bucketName);
    statements.push(deny(["s3:DeleteBucket", "s3:DeleteBucketPolicy", "s3:PutBucketPolicy", "s3:PutBucketVersioning", "s3:PutLifecycleConfiguration"], [bucket], { sid: "DenyStateBucketChanges" }));
    if (args.stateBackend.kmsKeyArn) {
      statements.push(deny(["kms:DisableKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"], [args.stateBackend.kmsKeyArn], { sid: "DenySecretsKeyChanges" }));
    }
  }
  return statements;
}
