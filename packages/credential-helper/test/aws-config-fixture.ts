/**
 * What a developer's ~/.aws/config tends to look like before setup: hand-written comments (both
 * comment styles), an SSO session and a profile using it, a nested sub-section, another tool's
 * credential_process profile and a services section. The unit tests of the editor and the end-to-end
 * setup/undo test (with the real AWS CLI reading it) share it, so both prove the same file survives.
 */
export const DEVELOPER_AWS_CONFIG = `# AWS config — edited by hand, keep the comments!
[default]
region = eu-west-1
output = json

; work SSO
[sso-session acme]
sso_start_url = https://acme.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access

[profile dev]
sso_session = acme
sso_account_id = 222222222222
sso_role_name = Developer
region = eu-west-1
s3 =
  max_concurrent_requests = 20

# vault-managed credentials for the legacy account
[profile legacy]
credential_process = /usr/local/bin/vault-aws --role legacy
region = us-east-2

[services local-dynamo]
dynamodb =
  endpoint_url = http://localhost:8000
`;

/** The profiles the AWS CLI lists in it. */
export const DEVELOPER_PROFILES = ["default", "dev", "legacy"];
