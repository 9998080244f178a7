export type { WebhookPluginOptions } from "./webhook-plugin.js";
export { webhookPlugin } from "./webhook-plugin.js";
