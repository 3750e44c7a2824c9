/** The help texts: one for the helper, one per command. */

export const COMMANDS = ["setup", "login", "credential-process", "otel-headers", "status", "doctor", "logout"] as const;
export type Command = (typeof COMMANDS)[number];

export const GLOBAL_HELP = `Usage: claude-bedrock <command> [options]

Sign in to your organisation's identity provider and give Claude Code and the AWS CLI/SDKs
credentials for Amazon Bedrock.

Commands:
  setup                 write the AWS profile and Claude Code settings for a stage (--undo reverts;
                        --managed writes the organisation-enforced part for every user of the machine)
  login                 sign in (browser; --no-browser prints the URL; --device for device sign-in)
  credential-process    print AWS credentials for credential_process (called by the AWS SDK/CLI)
  otel-headers          print telemetry headers for Claude Code's otelHeadersHelper
  status                who is signed in, until when, which profile (--json)
  doctor                check configuration, identity provider, clock and port; say what to fix
  logout                forget tokens and credentials (--idp also signs out of the identity provider)

Options for every command:
  --stage <name>        the stage to use when several are set up (env CLAUDE_BEDROCK_STAGE)
  --settings <file>     read stage settings from this file (env CLAUDE_BEDROCK_SETTINGS)
  --debug               explain each step on stderr (never prints tokens or secrets)
  -h, --help            help for a command
  -V, --version         print the version

Run \`claude-bedrock <command> --help\` for a command's options.
`;

export const HELP: Record<Command, string> = {
  setup: `Usage: claude-bedrock setup [--settings <file>] [--stage <name>] [--team <name>] [--force | --undo]
       claude-bedrock setup --managed [--managed-dir <dir>] [--print | --undo] [--settings <file>] [--stage <name>]

Saves the stage settings, writes the profile to ~/.aws/config (credential_process, or an sso-session
for IAM Identity Center stages) and merges Claude Code's ~/.claude/settings.json (Bedrock, profile,
Region, models, telemetry). Keeps every other profile, comment and setting; backs up what it changes
to ~/.claude-bedrock/backups. Safe to run again.

  --team <name>   use this team's inference profiles (default: the team claim of your sign-in)
  --undo          put back what setup replaced, leaving anything you changed since
  --force         overwrite settings you changed since setup wrote them (default: keep yours, with a note)

For IT (run as administrator, or with --managed-dir for an MDM package):
  --managed            write the stage's organisation-enforced settings (Bedrock, Region, telemetry with
                       its locked destination, models when the stage has no teams) as the drop-in
                       <dir>/managed-settings.d/50-claude-bedrock-<stage>.json, readable by every user.
                       Touches no other file; developers still run \`claude-bedrock setup\` for their profile
  --managed-dir <dir>  the managed directory (default: /etc/claude-code on Linux, /Library/Application
                       Support/ClaudeCode on macOS, C:\\Program Files\\ClaudeCode on Windows)
  --print              print the drop-in's JSON on stdout instead of writing it
  --undo               with --managed: remove that drop-in only
`,
  login: `Usage: claude-bedrock login [--no-browser | --device] [--stage <name>]

Signs in with your identity provider (authorization code + PKCE) and caches the tokens.

  --no-browser    print the sign-in URL instead of opening a browser; you may paste the address the
                  browser ends on if it cannot reach this machine (SSH)
  --device        device sign-in: open a URL on any device and enter a code; when the IdP does not
                  offer it, falls back to --no-browser
On a machine without a display (SSH), login behaves as --no-browser.
`,
  "credential-process": `Usage: claude-bedrock credential-process [--stage <name>]

Prints AWS credentials as credential_process JSON (Version 1) on stdout, and nothing else.
Uses cached credentials, then the cached sign-in, then a silent refresh, and opens a browser
sign-in only as the last resort. Configured by \`claude-bedrock setup\`.
`,
  "otel-headers": `Usage: claude-bedrock otel-headers [--stage <name>]

Prints a JSON object of HTTP headers for Claude Code's otelHeadersHelper: a bearer token for the
telemetry collector and attribution headers. Prints {} when not signed in. Always exits 0.
`,
  status: `Usage: claude-bedrock status [--json] [--stage <name>]

Shows who is signed in, until when, the AWS profile, cached credentials and the last quota answer.
`,
  doctor: `Usage: claude-bedrock doctor [--live] [--stage <name>] [--managed-dir <dir>]

Checks the stage settings, ~/.aws/config, Claude Code settings, the stage's managed settings drop-in
(if any: does it match what \`setup --managed\` writes now), the proxy and extra CAs in effect and what
is reachable through them, the identity provider, your clock, the team your sign-in and your AWS session
tag name, the sign-in port, the cache permissions and the helper version, and says what to fix.

  --live  also prove the whole chain with your identity: sign-in (or the cached token), AWS credentials,
          a 1-token Bedrock call to your model, the quota service's answer, one metric to the collector
`,
  logout: `Usage: claude-bedrock logout [--idp] [--stage <name>]

Forgets the cached tokens and credentials of the stage.

  --idp   also end the session at the identity provider (opens its sign-out page)
`,
};
