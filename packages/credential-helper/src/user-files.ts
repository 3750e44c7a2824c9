/**
 * Writing the user's own files (`~/.aws/config`, `~/.claude/settings.json`): atomically, keeping the
 * file's existing mode (new files get 0600: the AWS config may name roles and accounts), through symlinks.
 */
import type { Deps } from "./io.js";
import { dirname } from "./paths.js";
import { unwritable } from "./store.js";

export async function ensureDirFor(d: Pick<Deps, "fs" | "env" | "platform" | "homedir">, file: string): Promise<void> {
  try {
    await d.fs.mkdir(dirname(d, file), { recursive: true, mode: 0o700 });
  } catch (e) {
    throw unwritable(dirname(d, file), e);
  }
}

/**
 * A file that is a symlink (dotfiles managers link `~/.aws/config` and `~/.claude/settings.json`) is
 * written where it points: the temp file goes next to the real target and is renamed onto it, so the
 * link stays a link. A missing file (or a link whose target is missing) is written at `file`.
 */
export async function writeUserFile(
  d: Pick<Deps, "fs" | "env" | "platform" | "homedir" | "pid" | "now">,
  file: string,
  text: string,
): Promise<void> {
  const target = await d.fs.realpath(file).catch(() => file);
  const mode = await d.fs.stat(target).then(
    (st) => st.mode & 0o777,
    () => 0o600,
  );
  const tmp = `${target}.${d.pid}.${d.now()}.claude-bedrock.tmp`;
  try {
    await d.fs.writeFile(tmp, text, { mode, flag: "wx", encoding: "utf8" });
    if (d.platform !== "win32") await d.fs.chmod(tmp, mode);
    await d.fs.rename(tmp, target);
  } catch (e) {
    await d.fs.unlink(tmp).catch(() => undefined);
    throw unwritable(target, e);
  }
}
