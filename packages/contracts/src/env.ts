/**
 * Reading a Lambda environment the infrastructure renders. Every problem names the variable and the
 * component that sets it, so a bad deployment fails loudly at cold start instead of computing wrongly.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export class EnvError extends Error {
  override name = "EnvError";
}

/** A required, non-empty variable. */
export function requireVar(
  env: Env,
  key: string,
  setBy: string,
  message = `environment variable ${key} is not set (the ${setBy} component sets it)`,
): string {
  const v = env[key];
  if (!v) throw new EnvError(message);
  return v;
}

/** A JSON variable; `undefined` when unset or empty. */
export function jsonVar<T>(env: Env, key: string): T | undefined {
  const v = env[key];
  if (!v) return undefined;
  try {
    return JSON.parse(v) as T;
  } catch (e) {
    throw new EnvError(`environment variable ${key} is not valid JSON: ${(e as Error).message}`);
  }
}
