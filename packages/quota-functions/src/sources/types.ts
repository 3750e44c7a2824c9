import type { TokenCounts } from "../pricing.js";
import type { SourceId } from "../store.js";

/** One user's usage in one window, by model. */
export interface UserWindowUsage {
  readonly models: Map<string, TokenCounts>;
  /** Role session names the usage came from (invocation logs only). */
  readonly sessions: Set<string>;
}

/** A record of usage that can be read window by window. */
export interface UsageSource {
  readonly id: SourceId;
  /** Usage per lower-case email in the window `[start, end)`. */
  read(window: number): Promise<Map<string, UserWindowUsage>>;
  /**
   * Records of the user role read since the last call that could not be attributed to a user (invocation
   * logs: a role session name that is not an email). The session name is chosen by whoever calls
   * AssumeRoleWithWebIdentity, so these are renamed sessions: usage metered for nobody. Resets the count.
   */
  takeUnattributed?(): number;
}

export function addUsage(into: Map<string, UserWindowUsage>, email: string, model: string, c: TokenCounts, session?: string): void {
  let u = into.get(email);
  if (!u) into.set(email, (u = { models: new Map(), sessions: new Set() }));
  const m = u.models.get(model) ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  m.input += c.input;
  m.output += c.output;
  m.cacheRead += c.cacheRead;
  m.cacheWrite += c.cacheWrite;
  u.models.set(model, m);
  if (session) u.sessions.add(session);
}
