import { webhookPlugin } from "@hookgate/fastify";
import Fastify, { type FastifyInstance } from "fastify";
import type { createWebhooks } from "./webhooks.js";

/**
 * The Fastify app: the webhook plugin keeps the raw body on its own route only, so every other
 * route keeps Fastify's JSON parser.
 */
export async function createApp(
  receiver: Awaited<ReturnType<typeof createWebhooks>>["receiver"],
): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(webhookPlugin, { receiver, path: "/webhooks/stripe" });
  app.get("/health", async () => ({ ok: true }));
  return app;
}
