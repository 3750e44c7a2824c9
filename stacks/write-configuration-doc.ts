/** Writes docs/configuration.md from the stage config schema:   npx tsx stacks/write-configuration-doc.ts */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { renderConfigurationDoc } from "./config/configuration-doc";

writeFileSync(path.resolve(__dirname, "..", "docs", "configuration.md"), renderConfigurationDoc());
