import type { SecurityRule } from "./types";

/** Security rules of the quotas module. */
export const QUOTAS_RULES: SecurityRule[] = [];
