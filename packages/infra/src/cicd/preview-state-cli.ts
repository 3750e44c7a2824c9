/**
 * `npx tsx packages/infra/src/cicd/preview-state-cli.ts <exported.json> <secret-free.json>`: the pull-request
 * preview job's redaction step (see preview-state.ts). Prints how many secrets it withheld, never a value.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { secretFreeDeployment } from "./preview-state";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: preview-state-cli.ts <pulumi stack export file> <output file>");
  process.exit(2);
}
const { exported, withheld } = secretFreeDeployment(JSON.parse(readFileSync(input, "utf8")));
writeFileSync(output, JSON.stringify(exported), { mode: 0o600 });
console.log(`secret-free state written: ${withheld} secret value(s) withheld`);
