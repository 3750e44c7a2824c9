import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsEnvironment } from "../iam";
import type { BuilderScope } from "../scope";
import type { GitHubDeployRolesArgs } from "./args";
import { deployRole } from "./deploy-role";
import { guardrailPolicy } from "./guardrails";
import { previewRole } from "./preview-role";
import { releaseRole } from "./release-role";
import { ciTrust } from "./trust";
import { validateGitHubDeployRolesArgs } from "./validate";

export type { GitHubDeployRolesArgs, GitHubEntryArgs, ReleaseArgs, StateBackendArgs } from "./args";

/**
 * The roles GitHub Actions uses to run Pulumi for one stage in one account, with no stored AWS keys:
 *
 * - **deploy** (`pulumi up`): trusted for `repo:<owner>/<repo>:environment:<env>` (with a branch as
 *   well: only on `refs/heads/<branch>`, GitHub's `ref` claim) or, without environments, for
 *   `repo:<owner>/<repo>:ref:refs/heads/<branch>`; audience `sts.amazonaws.com`, one-hour sessions;
 *   permissions are the service-scoped action lists of `perms/` (no `*`), one managed policy per group.
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
    const problems = validateGitHubDeployRolesArgs(args);
    if (problems.length) throw new Error(`GitHubDeployRoles ${name}: ${problems.join("; ")}`);

    const scope: BuilderScope = { name, parent: this, tags: args.tags ?? {} };
    const env = awsEnvironment(this);
    // Built in this order (provider, guardrails, deploy, preview, release): each role attaches the guardrails first.
    const trust = ciTrust(scope, { roles: args, env });
    if (trust.oidcProviderArn) this.oidcProviderArn = trust.oidcProviderArn;
    const guardrails = guardrailPolicy(scope, { roles: args, env });
    this.guardrailPolicyArn = guardrails.arn;
    const common = { roles: args, env, guardrailsArn: guardrails.arn };

    this.deployRole = deployRole(scope, { ...common, trust: trust.deploy });
    this.deployRoleArn = this.deployRole.arn;
    if (trust.preview) {
      this.previewRole = previewRole(scope, { ...common, trust: trust.preview });
      this.previewRoleArn = this.previewRole.arn;
    }
    const release = args.github?.release;
    if (release && trust.release) {
      this.releaseRole = releaseRole(scope, { ...common, trust: trust.release, release });
      this.releaseRoleArn = this.releaseRole.arn;
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
