/** Shared by the per-area action lists of the deploy role. */

/** A group of actions granted together as one managed policy (each stays under IAM's 6,144 characters). */
export interface PermissionGroup {
  /** Lower-case key, part of the policy name. */
  readonly key: string;
  /** Why the deploy role needs it. */
  readonly purpose: string;
  /** IAM service prefixes the group covers (for the coverage check). */
  readonly services: readonly string[];
  readonly actions: readonly string[];
}

/** `service:Name` for each name (the lists stay readable and sorted by name). */
export const svc = (service: string, names: readonly string[]) => names.map((n) => `${service}:${n}`);
