import type { SecurityRule } from "./types";

/** Security rules of the analytics module. */
export const ANALYTICS_RULES: SecurityRule[] = [];
