/**
 * `setup --undo`: puts back the previous value of every section and key *that still holds what setup
 * wrote*; anything the user changed since is left alone (and reported). When nothing else changed, the
 * files come back byte for byte.
 */
import { HelperError } from "./errors.js";
import type { Deps } from "./io.js";
import { removeSection, sectionText, sectionValues, upsertSection } from "./aws-config.js";
import { stageSettingsFile } from "./paths.js";
import { getPath, parseSettingsJson, same, setPath, settingsJsonText, type Json } from "./settings-json.js";
import { manifestFile, readManifest, replaceUserFile, type SetupManifest, type SetupResult } from "./setup-files.js";
import { removeFile, readText } from "./store.js";

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
    // A file setup created and nothing else wrote to goes, rather than staying behind empty.
    const restored = !m.awsConfig.existed && next.trim() === "" ? null : next;
    if (next !== awsText) await replaceUserFile(d, stage, m.awsConfig.file, awsText, restored, result);
    else result.unchanged.push(m.awsConfig.file);
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
    if (!same(next, claude))
      await replaceUserFile(d, stage, m.claudeSettings.file, claudeText, restoredSettings(m, next, original, claudeText), result);
    else result.unchanged.push(m.claudeSettings.file);
  }

  await removeFile(d, stageSettingsFile(d, stage));
  await removeFile(d, manifestFile(d, stage));
  return result;
}

/** The settings file's text after undo: the original bytes when the content is the original's, nothing for a file setup created. */
function restoredSettings(
  m: SetupManifest,
  next: Record<string, Json>,
  original: Record<string, Json> | undefined,
  currentText: string,
): string | null {
  if (original !== undefined && same(next, original)) return m.claudeSettings.original!;
  if (!m.claudeSettings.existed && Object.keys(next).length === 0) return null;
  return settingsJsonText(next, currentText);
}
