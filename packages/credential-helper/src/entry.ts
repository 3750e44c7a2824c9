/**
 * The bundle's entry point (`dist/claude-bedrock.cjs`). It answers a warm `credential-process` or
 * `otel-headers` itself (`warm.ts`: a small amount of code to parse), and otherwise loads the rest of
 * the helper — the CLI, openid-client, jose, the AWS SDK, undici — from `claude-bedrock.main.cjs` beside
 * it (the npm package) or from the comment at the end of this file (the single-file bundle of the
 * executables) and runs `main.ts`. Claude Code starts these two commands often; everything else is
 * interactive and can afford the loading.
 */
// Named imports, not `* as`: the bundle turns a namespace import into a copy of every export, which
// costs the warm path measurable time (see docs/helper-internals.md, "Performance").
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
import { warmAnswer, warmLogger } from "./warm.js";
import { extractEmbeddedFromFile, mainFileBeside } from "./embedded.js";
import { realDeps } from "./real-deps.js";

type Main = typeof import("./main.js");

function writeOut(text: string): void {
  const buf = Buffer.from(text, "utf8");
  for (let off = 0; off < buf.length;) {
    try {
      off += writeSync(1, buf, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
    }
  }
}

/**
 * The rest of the helper: from the single executable's asset, the file beside the entry, the bundle file,
 * or the executable.
 */
function loadMain(): Main {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zlib = require("node:zlib") as typeof import("node:zlib");
  const gunzip = (b: Buffer) => zlib.gunzipSync(b);
  // Read backwards in chunks, never whole: in a single executable `__filename` is the ~120 MB binary,
  // and the script text (comment included) sits near its end.
  const fromFile = (file: string) => () => {
    const fd = openSync(file, "r");
    try {
      const read = (position: number, length: number) => {
        const buf = Buffer.allocUnsafe(length);
        let got = 0;
        while (got < length) {
          const n = readSync(fd, buf, got, length - got, position + got);
          if (n === 0) break;
          got += n;
        }
        return buf.subarray(0, got);
      };
      return extractEmbeddedFromFile(fstatSync(fd).size, read, gunzip);
    } finally {
      closeSync(fd);
    }
  };
  const sources: Array<() => string | undefined> = [
    () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const sea = require("node:sea") as { isSea(): boolean; getAsset(key: string, encoding: string): string };
      return sea.isSea() ? sea.getAsset("heavy.cjs", "utf8") : undefined;
    },
    // The npm package's layout: the entry file stays small, so the warm path neither reads nor scans the
    // rest (see docs/helper-internals.md, "Performance").
    () => {
      const beside = mainFileBeside(__filename);
      return beside !== undefined && existsSync(beside) ? readFileSync(beside, "utf8") : undefined;
    },
    fromFile(__filename),
    // A single executable without the asset whose `__filename` is not the binary.
    fromFile(process.execPath),
  ];
  for (const source of sources) {
    let code: string | undefined;
    try {
      code = source();
    } catch {
      continue;
    }
    if (code === undefined) continue;
    const mod = { exports: {} as Main };
    // `__filename` as this file's (bun pins it at build time); no `__dirname`, which bun would inline as
    // the build machine's directory, making the executable differ from build to build.
    new Function("module", "exports", "require", "__filename", code)(mod, mod.exports, require, __filename);
    return mod.exports;
  }
  throw new Error(`the helper's code is missing from ${__filename}`);
}

function fail(e: unknown): void {
  writeSync(2, `claude-bedrock: cannot start (${(e as Error).message}). Fix: reinstall claude-bedrock. [ERR_HELPER_INTERNAL]\n`);
  process.exitCode = 70;
}

const argv = process.argv.slice(2);
// The production dependencies, with a logger that turns any message into "run the full command".
const d = realDeps({
  debug: false,
  openBrowser: async () => {
    throw new Error("no browser on the warm path");
  },
  fetch: async () => {
    throw new Error("no network on the warm path");
  },
  log: warmLogger,
});

warmAnswer(d, argv)
  .then((out) => {
    if (out !== undefined) return writeOut(out);
    return loadMain()
      .main(argv)
      .then((code) => {
        process.exitCode = code;
      });
  })
  .catch(fail);
