export * from "./check-api";
