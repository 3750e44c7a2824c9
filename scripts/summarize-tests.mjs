// Prints one line, "N passed, N failed, N skipped", over every project's vitest JSON report, and exits
// non-zero when a test failed or a project that has tests wrote no report.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const projects = [...readdirSync(join(root, "packages")).map((d) => join("packages", d)), "stacks"];
let passed = 0,
  failed = 0,
  skipped = 0;
const missing = [];
for (const project of projects) {
  if (!existsSync(join(root, project, "vitest.config.mts"))) continue;
  const file = join(root, project, ".vitest-results.json");
  if (!existsSync(file)) {
    missing.push(project);
    continue;
  }
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  console.error(`  ${project}: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped`);
}
for (const project of missing) console.error(`  ${project}: no test report (the test run did not finish)`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || missing.length > 0 ? 1 : 0);
