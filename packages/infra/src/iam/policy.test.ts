import { describe, expect, it } from "vitest";
import { allow, deny, denyInsecureTransport, mergeConditions, policyDocument } from "./policy";

describe("policy builders", () => {
  it("deduplicates and sorts actions so diffs stay quiet", () => {
    expect(allow(["s3:PutObject", "s3:GetObject", "s3:PutObject"], ["arn:aws:s3:::b/*"]).Action).toEqual(["s3:GetObject", "s3:PutObject"]);
  });
  it.each([["s3"], ["s3:"], ["S3:GetObject"], ["s3:Get Object"]])("rejects the malformed action %s", (a) => {
    expect(() => allow([a], ["*"])).toThrow(/is not an IAM action/);
  });
  it("rejects empty action lists and non-alphanumeric Sids", () => {
    expect(() => deny([], ["*"])).toThrow(/at least one action/);
    expect(() => allow(["s3:GetObject"], ["*"], { sid: "has-dash" })).toThrow(/alphanumeric/);
  });
  it("refuses a document with the same Sid twice", () => {
    expect(() => policyDocument(allow(["s3:GetObject"], ["*"], { sid: "A" }), allow(["s3:PutObject"], ["*"], { sid: "A" }))).toThrow(
      /Sid "A" twice/,
    );
  });
  it("merges condition blocks and refuses the same key twice", () => {
    expect(mergeConditions({ StringEquals: { a: "1" } }, { StringEquals: { b: "2" } }, undefined)).toEqual({
      StringEquals: { a: "1", b: "2" },
    });
    expect(() => mergeConditions({ StringEquals: { a: "1" } }, { StringEquals: { a: "2" } })).toThrow(/given twice/);
  });
  it("denies non-TLS requests for every principal", () => {
    expect(denyInsecureTransport("s3", ["arn:aws:s3:::b"])).toEqual({
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: ["arn:aws:s3:::b"],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
  });
});
