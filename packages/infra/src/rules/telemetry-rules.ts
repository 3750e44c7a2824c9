import type { SecurityRule } from "./types";

/** Security rules of the telemetry module. */
export const TELEMETRY_RULES: SecurityRule[] = [];
