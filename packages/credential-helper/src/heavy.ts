/**
 * The libraries the helper needs only off the warm path. The build bundles this module separately and
 * embeds it as text in `dist/claude-bedrock.cjs` (see `lazy.ts`), so a warm `credential-process` never
 * even parses them.
 */
export * as openidClient from "openid-client";
export * as jose from "jose";
export * as sts from "@aws-sdk/client-sts";
export * as cognito from "@aws-sdk/client-cognito-identity";
export * as sigv4 from "@smithy/signature-v4";
export * as checksum from "@smithy/core/checksum";
