/**
 * Minimal, lossless editing of `~/.aws/config`: a section is replaced or removed as a block of lines,
 * everything else (comments, blank lines, other profiles, `sso-session` and `services` sections, line
 * endings) is kept byte for byte. Comment lines directly above the next section header belong to that
 * section, not to the one before.
 */

export interface SectionRange {
  /** Index of the header line. */
  readonly start: number;
  /** Index after the last line of the section body (trailing comments/blank lines excluded). */
  readonly end: number;
}

const HEADER = /^\s*\[([^\]]+)\]\s*(?:[#;].*)?$/;

function splitLines(text: string): { lines: string[]; eol: string; finalNewline: boolean } {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const finalNewline = text.length === 0 || text.endsWith("\n");
  const body = finalNewline && text.length > 0 ? text.slice(0, -eol.length) : text;
  return { lines: text.length === 0 ? [] : body.split(/\r?\n/), eol, finalNewline };
}

const joinLines = (lines: string[], eol: string): string => (lines.length === 0 ? "" : lines.join(eol) + eol);

/** `[profile name]`, or `[default]` for the default profile. */
export function profileHeader(name: string): string {
  return name === "default" ? "default" : `profile ${name}`;
}

const normaliseHeader = (h: string) => h.trim().replace(/\s+/g, " ");

export function findSection(text: string, header: string): SectionRange | undefined {
  const { lines } = splitLines(text);
  const want = normaliseHeader(header);
  const start = lines.findIndex((l) => {
    const m = HEADER.exec(l);
    return m !== null && normaliseHeader(m[1]!) === want;
  });
  if (start < 0) return undefined;
  let next = lines.length;
  for (let i = start + 1; i < lines.length; i++) {
    if (HEADER.test(lines[i]!)) {
      next = i;
      break;
    }
  }
  let end = next;
  // Blank lines and comments just above the next header describe that section.
  while (end > start + 1 && /^\s*(?:[#;].*)?$/.test(lines[end - 1]!)) end--;
  return { start, end };
}

/** The exact text of a section (header through last body line), or undefined. */
export function sectionText(text: string, header: string): string | undefined {
  const r = findSection(text, header);
  if (!r) return undefined;
  const { lines, eol } = splitLines(text);
  return joinLines(lines.slice(r.start, r.end), eol);
}

/** Replaces the section with `block` (full text including the header), or appends it. */
export function upsertSection(text: string, header: string, block: string): string {
  const { lines, eol } = splitLines(text);
  const blockLines = splitLines(block).lines;
  const r = findSection(text, header);
  if (r) {
    return joinLines([...lines.slice(0, r.start), ...blockLines, ...lines.slice(r.end)], eol);
  }
  const sep = lines.length > 0 && lines[lines.length - 1]!.trim() !== "" ? [""] : [];
  return joinLines([...lines, ...sep, ...blockLines], eol);
}

/**
 * Sets top-level `key = value` lines inside an existing section: the key's line is replaced in place, a
 * new key goes after the section's last body line, and a key mapped to undefined is removed. Every other
 * line (the user's own keys, comments, nested settings) stays as it is. No-op when the section is absent.
 */
export function setSectionValues(text: string, header: string, values: ReadonlyArray<readonly [string, string | undefined]>): string {
  const r = findSection(text, header);
  if (!r || values.length === 0) return text;
  const { lines, eol } = splitLines(text);
  let end = r.end;
  for (const [key, value] of values) {
    let at = -1;
    for (let i = r.start + 1; i < end; i++) {
      const m = /^([A-Za-z0-9_.-]+)\s*=/.exec(lines[i]!);
      if (m && m[1] === key) {
        at = i;
        break;
      }
    }
    if (at >= 0 && value === undefined) {
      lines.splice(at, 1);
      end--;
    } else if (at >= 0) lines[at] = `${key} = ${value}`;
    else if (value !== undefined) lines.splice(end++, 0, `${key} = ${value}`);
  }
  return joinLines(lines, eol);
}

/** Removes the section and one blank line that separated it, leaving everything else. */
export function removeSection(text: string, header: string): string {
  const r = findSection(text, header);
  if (!r) return text;
  const { lines, eol } = splitLines(text);
  let start = r.start;
  let end = r.end;
  if (start > 0 && lines[start - 1]!.trim() === "" && (end >= lines.length || lines[end]!.trim() === "")) start--;
  else if (end < lines.length && lines[end]!.trim() === "") end++;
  return joinLines([...lines.slice(0, start), ...lines.slice(end)], eol);
}

/**
 * Quotes one `credential_process` / helper-command element. On POSIX the line is split by the AWS CLI
 * (botocore: `shlex.split`) and run by the JS SDK through `/bin/sh` (`child_process.exec`), so anything
 * outside a conservative safe set is single-quoted (`'` → `'\''`): no space, quote, `$` or backtick can
 * split or expand. On Windows (no shell quoting of that kind), elements with spaces or `"` are
 * double-quoted.
 */
export function quoteArg(arg: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === "win32") return /[\s"]/.test(arg) ? `"${arg.replace(/"/g, '\\"')}"` : arg;
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

/**
 * Splits a command line the way its consumers do: POSIX shell words (single quotes, double quotes with
 * backslash escapes, backslash outside quotes), or on Windows double-quoted elements. For `doctor`.
 */
export function splitCommand(line: string, platform: NodeJS.Platform = process.platform): string[] {
  const out: string[] = [];
  let cur = "";
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = "";
      inWord = false;
      continue;
    }
    inWord = true;
    if (platform !== "win32" && c === "'") {
      const end = line.indexOf("'", i + 1);
      cur += line.slice(i + 1, end < 0 ? line.length : end);
      i = end < 0 ? line.length : end;
    } else if (c === '"') {
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === "\\" && (line[i + 1] === '"' || (platform !== "win32" && /[\\$`]/.test(line[i + 1] ?? "")))) i++;
        cur += line[i] ?? "";
      }
    } else if (platform !== "win32" && c === "\\" && i + 1 < line.length) cur += line[++i];
    else cur += c;
  }
  if (inWord) out.push(cur);
  return out;
}

export function renderSection(header: string, entries: ReadonlyArray<readonly [string, string]>, comment?: string): string {
  return [`[${header}]`, ...(comment ? [`# ${comment}`] : []), ...entries.map(([k, v]) => `${k} = ${v}`)].join("\n") + "\n";
}

/** Reads `key = value` pairs of a section (top level only; nested sub-settings ignored). */
export function sectionValues(text: string, header: string): Record<string, string> {
  const body = sectionText(text, header);
  const out: Record<string, string> = {};
  if (!body) return out;
  for (const line of body.split(/\r?\n/).slice(1)) {
    const m = /^([A-Za-z0-9_.-]+)\s*=\s*(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!.trim();
  }
  return out;
}

export interface AwsConfigProblem {
  /** 1-based line number. */
  readonly line: number;
  readonly problem: string;
}

const SECTION = /^\[(.+)\]/;
const OPTION = /^(.*?)\s*([=:])\s*(.*)$/;

/**
 * Why the AWS CLI and SDKs would refuse to read this config text, or undefined when they read it. It
 * follows botocore's `raw_config_parse`: Python's `configparser.RawConfigParser` with its defaults
 * (full-line `#`/`;` comments, no inline comments, `=` or `:`, a more-indented line continues the value,
 * strict: no section or key twice), then one level of nested `key = value` lines under a key whose value
 * starts on the next line (`s3 =` followed by indented settings). Setup must not append a profile to a
 * file the CLI already rejects, and report success.
 */
export function awsConfigProblem(text: string): AwsConfigProblem | undefined {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  if (lines[lines.length - 1] === "") lines.pop();
  let section: string | undefined;
  let option: string | undefined;
  let indent = 0;
  let firstError: AwsConfigProblem | undefined;
  const seen = new Set<string>();
  const values = new Map<string, { line: number; value: string[] }>();
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    const comment = trimmed.startsWith("#") || trimmed.startsWith(";");
    if (comment || trimmed === "") {
      // A blank line (not a comment) inside a value is part of it.
      if (!comment && section !== undefined && option) values.get(`${section}\0${option}`)?.value.push("");
      continue;
    }
    const lead = raw.search(/\S/);
    // configparser: a key-less line ends continuation (its option name is empty, hence falsy).
    if (section !== undefined && option && lead > indent) {
      values.get(`${section}\0${option}`)?.value.push(trimmed);
      continue;
    }
    indent = lead;
    const header = SECTION.exec(trimmed);
    if (header) {
      section = header[1]!;
      option = undefined;
      if (section !== "DEFAULT") {
        if (seen.has(section)) return { line: i + 1, problem: `section [${section}] appears twice` };
        seen.add(section);
      }
      continue;
    }
    if (section === undefined) return { line: i + 1, problem: "a line before the first [section] header" };
    const m = OPTION.exec(trimmed);
    if (!m || m[1] === "") {
      firstError ??= {
        line: i + 1,
        problem: m ? "a value without a key" : "neither a [section] header, a `key = value` line, a comment nor an indented continuation",
      };
      option = m ? "" : option;
      continue;
    }
    option = m[1]!.trimEnd().toLowerCase();
    const key = `${section}\0${option}`;
    if (values.has(key) || seen.has(key)) return { line: i + 1, problem: `key ${option} appears twice in [${section}]` };
    seen.add(key);
    values.set(key, { line: i + 1, value: [m[3]!.trim()] });
  }
  if (firstError) return firstError;
  for (const [key, { line, value }] of values) {
    // botocore parses a value that starts on the next line as nested `key = value` settings.
    if (value.length < 2 || value[0] !== "") continue;
    const bad = value.slice(1).find((l) => l.trim() !== "" && !l.includes("="));
    if (bad !== undefined)
      return {
        line,
        problem: `the nested settings of ${key.split("\0")[1]} in [${key.split("\0")[0]}] have a line without "=" (${JSON.stringify(bad.slice(0, 40))})`,
      };
  }
  return undefined;
}
