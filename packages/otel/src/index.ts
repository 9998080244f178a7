export type { OtelOptions } from "./otel.js";
export { otel } from "./otel.js";
