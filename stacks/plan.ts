/**
 * The offline plan of a stage: runs the stage's program on the Pulumi mock engine (no AWS
 * credentials, no Pulumi CLI) and prints what it would create, every IAM policy in readable form and
 * the security-rule verdicts. Exit 1 when a rule fails, 2 when the configuration is invalid.
 *
 *   npx tsx stacks/plan.ts <pilot|prod> [--json]
 *
 * The stack file is read from the repository root, or from the directory `CCB_STACK_DIR` names (to
 * check a stack file kept elsewhere). An empty file, a missing `claude-code-bedrock:stage` key and
 * every configuration mistake exit 2 with the keys to fix, before anything is declared.
 */
import { rules } from "@ccb/infra";
import { asList, stringsOf, type RecordedResource, type StatementJson } from "@ccb/infra/inventory";
import { StageConfigError } from "./config/problems";
import { runStage } from "./testing";

function usage(): never {
  process.stderr.write("usage: plan <stage> [--json]\n  stage: the name of a Pulumi.<stage>.yaml at the repository root (pilot, prod)\n");
  process.exit(2);
}

const args = process.argv.slice(2);
const json = args.includes("--json");
const positional = args.filter((a) => !a.startsWith("--"));
if (positional.length !== 1 || args.some((a) => a.startsWith("--") && a !== "--json")) usage();
const stage = positional[0]!;

const short = (type: string) => type.replace(/^aws:([a-z0-9]+)\/[A-Za-z0-9]+:/, "aws:$1:");

function renderValue(v: unknown): string {
  const list = stringsOf(v);
  return list.length === 1 ? list[0]! : `[${list.join(", ")}]`;
}

function renderStatement(s: StatementJson): string[] {
  const lines: string[] = [];
  const actions = s.Action ? renderValue(s.Action) : `NOT ${renderValue(s.NotAction)}`;
  lines.push(`${s.Effect.toUpperCase().padEnd(5)} ${actions}${s.Sid ? `   (${s.Sid})` : ""}`);
  if (s.Principal) {
    const p =
      typeof s.Principal === "string"
        ? s.Principal
        : Object.entries(s.Principal)
            .map(([k, v]) => `${k}=${renderValue(v)}`)
            .join(" ");
    lines.push(`      principal ${p}`);
  }
  if (s.Resource) for (const r of asList<string>(s.Resource)) lines.push(`      on ${r}`);
  for (const [op, kv] of Object.entries(s.Condition ?? {})) {
    for (const [k, v] of Object.entries(kv)) lines.push(`      when ${op} ${k} = ${renderValue(v)}`);
  }
  return lines;
}

async function main(): Promise<number> {
  let run;
  try {
    run = await runStage(stage);
  } catch (e) {
    if (e instanceof StageConfigError || (e as Error).message.startsWith("cannot read")) {
      process.stderr.write(`${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }
  const resources = run.recorder.resources;
  const verdicts = rules.evaluateRules(resources);
  // Advisory findings (trade-offs a stage opted into, such as full-text invocation logs) are shown, never failed on.
  const failures = verdicts.filter((v) => v.severity === "mandatory").flatMap((v) => v.findings);
  const custom = resources.filter((r) => !r.type.startsWith("claude-code-bedrock:") && !r.type.startsWith("pulumi:"));

  if (json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          stage,
          resources: resources.map((r) => ({ type: r.type, name: r.name, account: r.account, region: r.region })),
          policies: custom
            .filter((r) => rules.statementsOf(r).length)
            .map((r) => ({ type: r.type, name: r.name, statements: rules.statementsOf(r) })),
          rules: verdicts,
          outputs: run.outputs,
        },
        null,
        2,
      )}\n`,
    );
    return failures.length ? 1 : 0;
  }

  const out: string[] = [];
  out.push(`Plan of stage "${stage}" (offline, Pulumi mock engine: no AWS calls)`, "");
  const byAccount = new Map<string, RecordedResource[]>();
  for (const r of custom) byAccount.set(`${r.account} ${r.region}`, [...(byAccount.get(`${r.account} ${r.region}`) ?? []), r]);
  out.push(
    `Resources: ${custom.length} in ${byAccount.size} account/Region pair(s), in ${resources.filter((r) => r.type.startsWith("claude-code-bedrock:")).length} components`,
  );
  for (const [where, list] of byAccount) {
    const [account, region] = where.split(" ");
    out.push("", `  account ${account}  region ${region}`);
    const width = Math.max(...list.map((r) => short(r.type).length));
    for (const r of [...list].sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name))) {
      const region2 = r.region && r.region !== region ? `  (${r.region})` : "";
      out.push(`    + ${short(r.type).padEnd(width)}  ${r.name}${region2}`);
    }
  }

  out.push("", "IAM and resource policies:");
  for (const r of custom) {
    const statements = rules.statementsOf(r);
    if (!statements.length) continue;
    out.push("", `  ${short(r.type)} ${r.name}`);
    for (const s of statements) for (const line of renderStatement(s)) out.push(`    ${line}`);
  }

  out.push("", "Security rules:");
  for (const v of verdicts) {
    const status = v.findings.length ? (v.severity === "advisory" ? "NOTE" : "FAIL") : v.checked ? "pass" : "n/a ";
    out.push(`  ${status}  ${v.rule.padEnd(38)} ${v.checked} checked  ${v.description}`);
    for (const f of v.findings) out.push(`          ${f.resource}: ${f.message}`);
  }

  out.push(
    "",
    "Helper settings (stack output helperSettings):",
    ...JSON.stringify(run.outputs.helperSettings, null, 2)
      .split("\n")
      .map((l) => `  ${l}`),
  );
  out.push(
    "",
    failures.length
      ? `${failures.length} security finding(s): the stage does not pass its rules.`
      : `All ${verdicts.length} security rules pass.`,
  );
  process.stdout.write(`${out.join("\n")}\n`);
  return failures.length ? 1 : 0;
}

/** Exits once stdout has drained: a pipe takes large writes asynchronously, and exit would cut them. */
function exitAfterFlush(code: number): void {
  process.stdout.write("", () => process.exit(code));
}

main().then(exitAfterFlush, (e) => {
  process.stderr.write(`plan failed: ${(e as Error).stack ?? e}\n`);
  exitAfterFlush(3);
});
