export type { StoreConformanceOptions, StoreScenario } from "./store-conformance.js";
export { storeConformance } from "./store-conformance.js";
