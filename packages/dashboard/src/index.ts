export type { Dashboard, DashboardOptions } from "./dashboard.js";
export { dashboard } from "./dashboard.js";
