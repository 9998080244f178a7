export type { Dashboard, DashboardOptions } from "./dashboard.js";
export { dashboard } from "./dashboard.js";
export type { DashboardAuth } from "./internal/authenticate.js";
