export type { LambdaHandlerOptions } from "./create-lambda-handler.js";
export { createLambdaHandler } from "./create-lambda-handler.js";
export type { LambdaHttpEvent, LambdaHttpResult } from "./lambda-event.js";
