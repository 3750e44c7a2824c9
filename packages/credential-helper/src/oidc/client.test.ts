import { describe, expect, it } from "vitest";
import type { StageSettings } from "@ccb/contracts";
import { HelperError, type HelperErrorCode } from "../errors.js";
import { CLOCK_TOLERANCE_S, identityFromClaims, verifyIdToken } from "./client.js";
import { CLIENT_ID, fakeIdp, ISSUER } from "../../test/fake-idp.js";
import { stageSettings, T0, testDeps } from "../../test/support.js";

const settings = stageSettings({
  identityProvider: { ...stageSettings().identityProvider, issuer: ISSUER, clientId: CLIENT_ID },
}) as unknown as StageSettings;
const JWKS = `${ISSUER}/v1/keys`;
const t0 = Math.floor(T0 / 1000);

async function setup() {
  const ref: { idp?: Awaited<ReturnType<typeof fakeIdp>> } = {};
  const d = testDeps({ fetch: (input, init) => ref.idp!.fetch(input, init) });
  const idp = (ref.idp = await fakeIdp(d.now));
  return { d, idp };
}

describe("verifyIdToken (frozen clock, JWKS served by an injected fetch)", () => {
  it("accepts a valid token and returns the identity, never the raw claims", async () => {
    const { d, idp } = await setup();
    const token = await idp.sign({ nonce: "n-1", department: "eng", cost_center: "cc-1" });
    const v = await verifyIdToken(d, settings, token, JWKS, "n-1");
    expect(v.expiresAt).toBe((t0 + 3600) * 1000);
    expect(v.identity).toEqual({ sub: "alice", email: "alice@example.com", department: "eng", team: "platform", costCenter: "cc-1" });
  });

  it(`tolerates ${CLOCK_TOLERANCE_S} s of clock skew on exp, not more`, async () => {
    const { d, idp } = await setup();
    const token = await idp.sign({ exp: t0 - CLOCK_TOLERANCE_S + 5, iat: t0 - 3600 });
    await expect(verifyIdToken(d, settings, token, JWKS)).resolves.toBeDefined();
    d.advance(10_000);
    await expect(verifyIdToken(d, settings, token, JWKS)).rejects.toMatchObject({ code: "ERR_TOKEN_EXPIRED" });
  });

  it.each<[string, Record<string, unknown>, { foreign?: boolean; nonce?: string }, HelperErrorCode]>([
    ["a signature by another key", {}, { foreign: true }, "ERR_TOKEN_SIGNATURE"],
    ["an expired token", { iat: t0 - 7200, exp: t0 - 3600 }, {}, "ERR_TOKEN_EXPIRED"],
    ["a token not valid yet (nbf)", { nbf: t0 + 600 }, {}, "ERR_TOKEN_NOT_YET_VALID"],
    ["a token issued in the future (iat)", { iat: t0 + 600, exp: t0 + 4200 }, {}, "ERR_TOKEN_NOT_YET_VALID"],
    ["another issuer", { iss: "https://evil.example.com" }, {}, "ERR_TOKEN_ISSUER"],
    ["another audience", { aud: "other-client" }, {}, "ERR_TOKEN_AUDIENCE"],
    ["several audiences without azp", { aud: [CLIENT_ID, "other"] }, {}, "ERR_TOKEN_AUDIENCE"],
    ["a nonce from another sign-in", { nonce: "old" }, { nonce: "new" }, "ERR_TOKEN_NONCE"],
    ["no nonce when one was sent", {}, { nonce: "new" }, "ERR_TOKEN_NONCE"],
    ["no email claim", { email: undefined }, {}, "ERR_TOKEN_CLAIMS"],
    ["an unverified email", { email_verified: false }, {}, "ERR_TOKEN_CLAIMS"],
  ])("rejects %s with %s", async (_l, claims, opts, code) => {
    const { d, idp } = await setup();
    const token = await idp.sign(claims, opts);
    const e = await verifyIdToken(d, settings, token, JWKS, opts.nonce).catch((x) => x);
    expect(e).toBeInstanceOf(HelperError);
    expect(e.code).toBe(code);
    expect(e.message).not.toContain(token);
  });

  it("rejects a token that is not a JWT", async () => {
    const { d } = await setup();
    await expect(verifyIdToken(d, settings, "not-a-jwt", JWKS)).rejects.toMatchObject({ code: "ERR_TOKEN_CLAIMS" });
  });

  it("reports an unreachable JWKS as ERR_IDP_UNREACHABLE", async () => {
    const { idp } = await setup();
    const d = testDeps({
      fetch: async () => {
        throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
      },
    });
    await expect(verifyIdToken(d, settings, await idp.sign({}), JWKS)).rejects.toMatchObject({ code: "ERR_IDP_UNREACHABLE" });
  });
});

describe("identityFromClaims", () => {
  it("reads the claims the stage names", () => {
    const s = stageSettings({
      identityProvider: {
        ...stageSettings().identityProvider,
        emailClaim: "upn",
        groupsClaim: "groups",
        attributeClaims: { team: "squad" },
      },
    }) as unknown as StageSettings;
    expect(identityFromClaims(s, { sub: "1", upn: "a@b.c", squad: ["core"], groups: ["x", 1], cost_center: "9" })).toEqual({
      sub: "1",
      email: "a@b.c",
      team: "core",
      costCenter: "9",
      groups: ["x"],
    });
    expect(identityFromClaims(settings, { sub: "1", email: "a@b.c", email_verified: true }).email).toBe("a@b.c");
  });

  it("uses exactly the configured email claim: no fallback to email or preferred_username", () => {
    const s = stageSettings({ identityProvider: { ...stageSettings().identityProvider, emailClaim: "upn" } }) as unknown as StageSettings;
    expect(() => identityFromClaims(s, { sub: "1", email: "mallory@b.c" })).toThrow(
      expect.objectContaining({ code: "ERR_TOKEN_CLAIMS", message: 'the id_token lacks the "upn" claim' }),
    );
    expect(() => identityFromClaims(settings, { sub: "1", preferred_username: "p@b.c" })).toThrow(
      expect.objectContaining({ code: "ERR_TOKEN_CLAIMS", message: 'the id_token lacks the "email" claim' }),
    );
  });

  it("rejects an email the identity provider says is not verified", () => {
    for (const email_verified of [false, "false"]) {
      expect(() => identityFromClaims(settings, { sub: "1", email: "a@b.c", email_verified })).toThrow(
        expect.objectContaining({ code: "ERR_TOKEN_CLAIMS", message: expect.stringContaining("a@b.c is not verified") }),
      );
    }
  });
});
