/** One line of `doctor`'s report. Kept apart so check providers (managed.ts) need not import doctor.ts. */
export interface Check {
  readonly name: string;
  readonly ok: boolean | "warn";
  readonly detail: string;
  readonly fix?: string;
}

export function formatChecks(checks: readonly Check[]): string {
  return checks
    .map(
      (c) => `${c.ok === true ? "ok  " : c.ok === "warn" ? "warn" : "FAIL"}  ${c.name}: ${c.detail}${c.fix ? `\n      fix: ${c.fix}` : ""}`,
    )
    .join("\n");
}
