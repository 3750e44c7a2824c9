import type { SecurityRule } from "./types";

/** Security rules of the distribution module. */
export const DISTRIBUTION_RULES: SecurityRule[] = [];
