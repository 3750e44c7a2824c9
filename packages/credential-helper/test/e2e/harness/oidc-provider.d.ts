// oidc-provider ships no types; the tests use a small, explicit slice of it.
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";
  type Ctx = { oidc?: { params?: Record<string, unknown> } };
  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    on(event: string, listener: (ctx: Ctx, err?: unknown) => void): this;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
  }
}
