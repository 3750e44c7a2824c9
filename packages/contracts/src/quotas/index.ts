export * from "./check-api";
export * from "./env";
export * from "./block-policy";
export * from "./metrics";
export * from "./price-source";
