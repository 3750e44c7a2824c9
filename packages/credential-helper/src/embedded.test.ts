import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { extractEmbedded, extractEmbeddedBytes } from "./embedded.js";

describe("the embedded code", () => {
  it("finds the last marked block, so the loader's own text never matches", () => {
    const code = "module.exports = { answer: 42 };";
    const packed = gzipSync(code).toString("base64");
    const bundle = `#!/usr/bin/env node\nconst s = "/*__CCB_HEAVY" + "_GZIP_BASE64__:";\n/*__CCB_HEAVY_GZIP_BASE64__:${packed}:__CCB_HEAVY_END__*/`;
    expect(extractEmbedded(bundle, gunzipSync)).toBe(code);
    expect(extractEmbedded("no marker here", gunzipSync)).toBeUndefined();
    expect(extractEmbeddedBytes(Buffer.concat([Buffer.from([0, 255, 1]), Buffer.from(bundle, "latin1"), Buffer.from([0, 0])]), gunzipSync)).toBe(code);
    expect(extractEmbeddedBytes(Buffer.from("no marker here"), gunzipSync)).toBeUndefined();
  });
});
