/**
 * The libraries the helper needs only off the warm path. The build bundles this module separately and
 * embeds it as text in `dist/claude-bedrock.cjs` (see `lazy.ts`), so a warm `credential-process` never
 * even parses them.
 */
export * as openidClient from "openid-client";
export * as jose from "jose";
export * as sts from "@aws-sdk/client-sts";
export * as cognito from "@aws-sdk/client-cognito-identity";
// Evaluated only when first asked for (esbuild turns these imports into lazy initialisers): a sign-in
// needs the proxy agents but not the Bedrock client, which only `doctor --live` uses.
export const network = () => import("./heavy-network.js");
export const bedrock = () => import("@aws-sdk/client-bedrock-runtime");
