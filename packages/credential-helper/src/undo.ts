/**
 * `setup --undo`: puts back the previous value of every section and key *that still holds what setup
 * wrote*; anything the user changed since is left alone (and reported). When nothing else changed, the
 * files come back byte for byte.
 */
import { HelperError } from "./errors.js";
import type { Deps } from "./io.js";
import { removeSection, sectionText, sectionValues, upsertSection } from "./aws-config.js";
import { stageSettingsFile } from "./paths.js";
import {
  backup,
  getPath,
  indentOf,
  manifestFile,
  parseSettingsJson,
  readManifest,
  same,
  setPath,
  type SetupResult,
} from "./setup-files.js";
import { removeFile, readText } from "./store.js";
import { writeUserFile } from "./user-files.js";

export async function runUndo(d: Deps, stage: string): Promise<SetupResult> {
  const result: SetupResult = { changed: [], unchanged: [], notes: [] };
  const m = await readManifest(d, stage);
  if (!m) throw new HelperError("ERR_SETUP_NOTHING_TO_UNDO", `setup has not been run for stage ${stage} on this machine`);

  const awsText = await readText(d, m.awsConfig.file);
  if (awsText !== undefined) {
    let next = awsText;
    for (const rec of [...m.awsConfig.sections].reverse()) {
      const now = sectionText(next, rec.header);
      if (now === undefined) continue;
      // Unchanged since setup: the same text, or the same keys and values (setup's own, none added).
      if (now !== rec.written && !same(sectionValues(now, rec.header), rec.keys ?? sectionValues(rec.written, rec.header))) {
        result.notes.push(`left [${rec.header}] in ${m.awsConfig.file} alone: it was changed after setup`);
        continue;
      }
      next = rec.previous === null ? removeSection(next, rec.header) : upsertSection(next, rec.header, rec.previous);
    }
    if (m.awsConfig.original !== null && next.replace(/\s+$/, "") === m.awsConfig.original.replace(/\s+$/, "")) next = m.awsConfig.original;
    if (next !== awsText) {
      await backup(d, stage, m.awsConfig.file, awsText);
      if (!m.awsConfig.existed && next.trim() === "") await removeFile(d, m.awsConfig.file);
      else await writeUserFile(d, m.awsConfig.file, next);
      result.changed.push(m.awsConfig.file);
    } else result.unchanged.push(m.awsConfig.file);
  }

  const claudeText = await readText(d, m.claudeSettings.file);
  if (claudeText !== undefined) {
    const claude = parseSettingsJson(claudeText, m.claudeSettings.file);
    const next = structuredClone(claude);
    for (const rec of m.claudeSettings.keys) {
      if (!same(getPath(next, rec.path), rec.written)) {
        if (getPath(next, rec.path) !== undefined)
          result.notes.push(`left ${rec.path.join(".")} in ${m.claudeSettings.file} alone: it was changed after setup`);
        continue;
      }
      setPath(next, rec.path, rec.previous);
    }
    const original = m.claudeSettings.original === null ? undefined : parseSettingsJson(m.claudeSettings.original, m.claudeSettings.file);
    const env = next.env;
    const envWasThere = original !== undefined && getPath(original, ["env"]) !== undefined;
    if (!envWasThere && typeof env === "object" && env !== null && !Array.isArray(env) && Object.keys(env).length === 0) delete next.env;
    if (!same(next, claude)) {
      await backup(d, stage, m.claudeSettings.file, claudeText);
      if (original !== undefined && same(next, original)) await writeUserFile(d, m.claudeSettings.file, m.claudeSettings.original!);
      else if (!m.claudeSettings.existed && Object.keys(next).length === 0) await removeFile(d, m.claudeSettings.file);
      else await writeUserFile(d, m.claudeSettings.file, `${JSON.stringify(next, null, indentOf(claudeText))}\n`);
      result.changed.push(m.claudeSettings.file);
    } else result.unchanged.push(m.claudeSettings.file);
  }

  await removeFile(d, stageSettingsFile(d, stage));
  await removeFile(d, manifestFile(d, stage));
  return result;
}
