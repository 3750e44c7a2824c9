/**
 * The loopback redirect target. Binds loopback only — 127.0.0.1, and also ::1 when the redirect URI names
 * `localhost` (a browser may resolve it to either; ::1 is skipped where IPv6 is unavailable), never a
 * wildcard address. Answers 404 to anything but the registered path
 * (favicon probes, scanners), answers a stale or forged `state` with an error page *without* ending the
 * sign-in (so another local process cannot abort it), and shows the real outcome of the sign-in on the
 * page the browser lands on.
 */
import * as http from "node:http";
import { redirectUri as buildRedirectUri, type RedirectHost } from "@ccb/contracts";
import { HelperError } from "../errors.js";

export interface CallbackResult {
  readonly url: URL;
  /** Shows the final page in the browser: success, or what went wrong. */
  finish(outcome: { ok: true } | { ok: false; message: string }): void;
}

export interface CallbackServer {
  readonly redirectUri: string;
  /** Resolves with the first callback carrying the expected state; rejects on timeout or an IdP error. */
  waitForCallback(expectedState: string, timeoutMs: number): Promise<CallbackResult>;
  /** A URL the user pasted (headless sign-in) is handled exactly like a browser redirect. */
  submitPastedUrl(url: string): void;
  close(): Promise<void>;
}

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title><style>body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em}</style></head><body><h1>${title}</h1><p>${body}</p></body></html>`;

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Listens on one loopback address; a taken port is ERR_LOGIN_PORT_IN_USE, other errors pass through. */
function listenOn(server: http.Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      if (e.code === "EADDRINUSE" || e.code === "EACCES") {
        const shown = host.includes(":") ? `[${host}]` : host;
        reject(
          new HelperError("ERR_LOGIN_PORT_IN_USE", `cannot listen on ${shown}:${port} for the sign-in redirect (${e.code})`, { cause: e }),
        );
      } else reject(e);
    };
    server.once("error", onError);
    server.listen({ port, host, exclusive: true, ...(host.includes(":") ? { ipv6Only: true } : {}) }, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

const closeServer = (server: http.Server) => {
  // Let the last page flush, then drop keep-alive connections the browser holds open.
  server.close();
  server.closeIdleConnections();
  setTimeout(() => server.closeAllConnections(), 300).unref();
};

/**
 * @param host the host the redirect URI names (the stage's `identityProvider.redirectHost`); with
 *   `localhost` the server also listens on ::1 when the machine has IPv6 loopback.
 */
export async function startCallbackServer(port: number, path: string, host: RedirectHost = "127.0.0.1"): Promise<CallbackServer> {
  const servers = [http.createServer()];
  await listenOn(servers[0]!, port, "127.0.0.1");
  if (host === "localhost") {
    const v6 = http.createServer();
    try {
      await listenOn(v6, port, "::1");
      servers.push(v6);
    } catch (e) {
      // Someone else answering [::1]:<port> could receive the redirect a browser sends to localhost.
      if (e instanceof HelperError) {
        closeServer(servers[0]!);
        throw e;
      }
      // No IPv6 loopback here (EADDRNOTAVAIL, EAFNOSUPPORT, …): browsers then resolve localhost to 127.0.0.1.
    }
  }
  const redirectUri = buildRedirectUri({ redirectHost: host, redirectPort: port, redirectPath: path });
  type Handler = (url: URL, res: http.ServerResponse | undefined) => void;
  let handler: Handler | undefined;

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const url = new URL(req.url ?? "/", redirectUri);
    if (req.method !== "GET" || url.pathname !== path) {
      res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
      return;
    }
    if (!handler) {
      res
        .writeHead(409, { "content-type": "text/html" })
        .end(page("No sign-in in progress", "Run <code>claude-bedrock login</code> again."));
      return;
    }
    handler(url, res);
  };
  for (const server of servers) server.on("request", onRequest);

  return {
    redirectUri,
    waitForCallback(expectedState, timeoutMs) {
      return new Promise<CallbackResult>((resolve, reject) => {
        let strays = 0;
        const timer = setTimeout(() => {
          handler = undefined;
          if (strays > 0) {
            reject(
              new HelperError(
                "ERR_LOGIN_STATE_MISMATCH",
                `the sign-in redirect carried a state that does not match this sign-in (${strays} time${strays > 1 ? "s" : ""}) and no valid redirect arrived`,
              ),
            );
          } else {
            reject(new HelperError("ERR_LOGIN_TIMEOUT", `no sign-in completed within ${Math.round(timeoutMs / 1000)} s`));
          }
        }, timeoutMs);
        timer.unref?.();
        handler = (url, res) => {
          const state = url.searchParams.get("state");
          if (state !== expectedState) {
            strays++;
            res
              ?.writeHead(400, { "content-type": "text/html" })
              .end(
                page(
                  "This sign-in link is stale",
                  "It does not belong to the sign-in that is running. Use the newest browser tab, or run <code>claude-bedrock login</code> again.",
                ),
              );
            return;
          }
          clearTimeout(timer);
          handler = undefined;
          const error = url.searchParams.get("error");
          if (error) {
            const desc = url.searchParams.get("error_description");
            res
              ?.writeHead(400, { "content-type": "text/html" })
              .end(page("Sign-in failed", escapeHtml(`${error}${desc ? `: ${desc}` : ""}`) + ". You can close this window."));
            const code = error === "access_denied" ? "ERR_LOGIN_CANCELLED" : "ERR_IDP_REJECTED";
            reject(new HelperError(code, `the identity provider ended the sign-in: ${error}${desc ? ` (${desc})` : ""}`));
            return;
          }
          if (!url.searchParams.get("code")) {
            res?.writeHead(400, { "content-type": "text/html" }).end(page("Sign-in failed", "The redirect carried no authorization code."));
            reject(new HelperError("ERR_IDP_REJECTED", "the sign-in redirect carried no authorization code"));
            return;
          }
          resolve({
            url,
            finish(outcome) {
              if (!res) return;
              if (outcome.ok) {
                res
                  .writeHead(200, { "content-type": "text/html" })
                  .end(page("Signed in", "Claude Code on Amazon Bedrock is ready. You can close this window."));
              } else {
                res
                  .writeHead(400, { "content-type": "text/html" })
                  .end(page("Sign-in failed", `${escapeHtml(outcome.message)}. You can close this window.`));
              }
            },
          });
        };
      });
    },
    submitPastedUrl(text) {
      let url: URL;
      try {
        url = new URL(text.trim(), redirectUri);
      } catch {
        return;
      }
      if (url.pathname === path) handler?.(url, undefined);
    },
    close() {
      servers.forEach(closeServer);
      return Promise.resolve();
    },
  };
}
