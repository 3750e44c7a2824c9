import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { extractEmbedded } from "./lazy.js";

describe("embedded heavy libraries", () => {
  it("finds the last marked block, so the loader's own text never matches", () => {
    const code = "module.exports = { answer: 42 };";
    const packed = gzipSync(code).toString("base64");
    const bundle = `#!/usr/bin/env node\nconst s = "/*__CCB_HEAVY" + "_GZIP_BASE64__:";\n/*__CCB_HEAVY_GZIP_BASE64__:${packed}:__CCB_HEAVY_END__*/`;
    expect(extractEmbedded(bundle, gunzipSync)).toBe(code);
    expect(extractEmbedded("no marker here", gunzipSync)).toBeUndefined();
  });
});
