export * from "./check-api";
export * from "./env";
