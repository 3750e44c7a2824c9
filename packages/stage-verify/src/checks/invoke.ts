import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { ok, fail, errText, type CheckResult, type VerifyContext } from "./context";
import type { AwsCredentialIdentityProvider } from "@aws-sdk/types";

/** Invocation through the user role: a 1-token Converse call with the developer's credentials. */

/** The developer's profile is a session of the user role and can invoke the primary model. */
export async function invokeChecks(ctx: VerifyContext): Promise<CheckResult[]> {
  const { s, opts, cfg } = ctx;
  const check = "invoke";
  const credentials = opts.userCredentials ?? (s.awsProfile ? await profileCredentials(s.awsProfile) : undefined);
  if (!credentials)
    return [
      fail(
        check,
        "no developer credentials: the stage settings name no AWS profile",
        "install the credential helper and sign in, then rerun with --invoke",
      ),
    ];
  const who = await new STSClient({ ...cfg, credentials }).send(new GetCallerIdentityCommand({}));
  const roleName = s.userRoleArn?.split("/").pop();
  if (!roleName || !who.Arn?.includes(`:assumed-role/${roleName}/`)) {
    return [
      fail(
        check,
        `the profile's identity is ${who.Arn}, not a session of ${s.userRoleArn}`,
        `sign in with the credential helper (\`AWS_PROFILE=${s.awsProfile ?? "claude-bedrock-<stage>"} aws sts get-caller-identity\` must show the developer role)`,
      ),
    ];
  }
  const team = Object.keys(s.teamInferenceProfiles)[0];
  const modelId = (team ? s.teamInferenceProfiles[team]!.primary : undefined) ?? s.models.primary!;
  let r;
  try {
    r = await new BedrockRuntimeClient({ ...cfg, credentials }).send(
      new ConverseCommand({
        modelId,
        messages: [{ role: "user", content: [{ text: "Reply with OK." }] }],
        inferenceConfig: { maxTokens: 1 },
      }),
    );
  } catch (e) {
    return [
      fail(
        check,
        `${who.Arn} cannot invoke ${modelId}: ${errText(e)}`,
        "AccessDenied: the user role's model grant or boundary misses this profile (run `pulumi up`); ValidationException/ResourceNotFound: enable model access for the model in the Bedrock console",
      ),
    ];
  }
  return [ok(check, `${who.Arn} invoked ${modelId}: ${r.usage?.inputTokens ?? "?"} in / ${r.usage?.outputTokens ?? "?"} out tokens`)];
}

async function profileCredentials(profile: string): Promise<AwsCredentialIdentityProvider> {
  const { fromIni } = await import("@aws-sdk/credential-providers");
  return fromIni({ profile });
}
