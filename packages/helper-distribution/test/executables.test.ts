import { describe, expect, it } from "vitest";
import { executableFileName, prepareBundleForBun } from "../src/executables";

describe("prepareBundleForBun", () => {
  it("turns the helper's packed-libraries comment into a kept string, and leaves other bundles alone", () => {
    const bundle = "console.log(1);\n/*__CCB_HEAVY_GZIP_BASE64__:H4sIAAAA+/=:__CCB_HEAVY_END__*/\n";
    const out = prepareBundleForBun(bundle);
    expect(out).toBe('console.log(1);\nglobalThis.__CCB_HEAVY_KEEP__ = "/*__CCB_HEAVY_GZIP_BASE64__:H4sIAAAA+/=:__CCB_HEAVY_END__*/";\n');
    expect(prepareBundleForBun("console.log(2);")).toBe("console.log(2);");
  });
});

describe("executableFileName", () => {
  it("names executables by version and target, .exe on Windows", () => {
    expect(executableFileName("1.2.3", "linux-x64")).toBe("claude-bedrock-1.2.3-linux-x64");
    expect(executableFileName("1.2.3", "win-x64")).toBe("claude-bedrock-1.2.3-win-x64.exe");
  });
});
