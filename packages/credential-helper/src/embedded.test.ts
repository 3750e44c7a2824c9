import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { extractEmbedded, extractEmbeddedBytes, extractEmbeddedFromFile } from "./embedded.js";

describe("the embedded code", () => {
  it("finds the last marked block, so the loader's own text never matches", () => {
    const code = "module.exports = { answer: 42 };";
    const packed = gzipSync(code).toString("base64");
    const bundle = `#!/usr/bin/env node\nconst s = "/*__CCB_HEAVY" + "_GZIP_BASE64__:";\n/*__CCB_HEAVY_GZIP_BASE64__:${packed}:__CCB_HEAVY_END__*/`;
    expect(extractEmbedded(bundle, gunzipSync)).toBe(code);
    expect(extractEmbedded("no marker here", gunzipSync)).toBeUndefined();
    expect(
      extractEmbeddedBytes(Buffer.concat([Buffer.from([0, 255, 1]), Buffer.from(bundle, "latin1"), Buffer.from([0, 0])]), gunzipSync),
    ).toBe(code);
    expect(extractEmbeddedBytes(Buffer.from("no marker here"), gunzipSync)).toBeUndefined();
  });

  it("finds it in a large file read backwards in chunks, markers and payload cut by the chunk edges", () => {
    const code = "module.exports = { answer: 42 };".repeat(50);
    const packed = gzipSync(code).toString("base64");
    const embedded = Buffer.from(`const s = "x";\n/*__CCB_HEAVY_GZIP_BASE64__:${packed}:__CCB_HEAVY_END__*/`, "latin1");
    for (const chunk of [7, 16, 29, 64, 1000, 1 << 20]) {
      for (const after of [0, 3, 100, 5000]) {
        const file = Buffer.concat([Buffer.alloc(3000, 1), embedded, Buffer.alloc(after, 2)]);
        const read = (position: number, length: number) => file.subarray(position, position + length);
        expect(extractEmbeddedFromFile(file.length, read, gunzipSync, chunk), `chunk ${chunk}, ${after} bytes after`).toBe(code);
      }
    }
    const none = Buffer.alloc(10_000, 3);
    expect(extractEmbeddedFromFile(none.length, (p, l) => none.subarray(p, p + l), gunzipSync, 1000)).toBeUndefined();
  });
});
