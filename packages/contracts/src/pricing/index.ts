export * from "./price-book";
export * from "./analytics-pricing";
