/**
 * The DuckDB lake the analytics query tests run on, for other packages' tests (`@ccb/infra/analytics-lake`):
 * the quota price source's test runs the named queries over the pricing object it wrote.
 */
export { openLake, type Lake, type LakePricing } from "./duckdb";
export { Expected } from "./expected";
export { generateDataSet, MODELS, type DataSet } from "./generate";
