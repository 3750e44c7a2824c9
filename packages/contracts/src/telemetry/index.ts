export * from "./aggregator";
export * from "./lifecycle";
