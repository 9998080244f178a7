export type { HookgateModuleOptions } from "./hookgate-module.js";
export { HookgateModule } from "./hookgate-module.js";
export type { HookgateServiceOptions, NestRequest, NestResponse } from "./hookgate-service.js";
export { HookgateService } from "./hookgate-service.js";
