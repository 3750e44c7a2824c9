import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { joinBundle, splitBundle } from "../src/bundle-parts";

const MAIN = "module.exports = { main: async () => 0 };";
const single = (entry: string) =>
  Buffer.from(`${entry}/*__CCB_HEAVY_GZIP_BASE64__:${gzipSync(MAIN).toString("base64")}:__CCB_HEAVY_END__*/\n`);

describe("the npm package's split bundle", () => {
  it("takes the trailing comment out of the entry and unpacks it, leaving the entry's own marker strings alone", () => {
    const entry = '#!/usr/bin/env node\nconst m = ["/*__CCB_HEAVY", "_GZIP_BASE64__:"].join("");\n';
    const parts = splitBundle(single(entry));
    expect(parts.entry.toString()).toBe(`${entry}\n`);
    expect(parts.main.toString()).toBe(MAIN);
    // Joined again it splits the same way: the bun build compiles the joined file.
    const again = splitBundle(joinBundle(parts));
    expect(again.entry.toString()).toBe(parts.entry.toString());
    expect(again.main.toString()).toBe(MAIN);
  });

  it("refuses a bundle that carries no packed code", () => {
    expect(() => splitBundle(Buffer.from("#!/usr/bin/env node\nconsole.log(1);\n"))).toThrow(/ERR_HELPER_BUILD|no packed code/);
  });
});
