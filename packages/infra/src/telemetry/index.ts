/** The telemetry module (see its README). */
export {};
