import { webhookPlugin } from "@hookgate/fastify";
import { natsHealth } from "@hookgate/nats";
import Fastify, { type FastifyInstance } from "fastify";
import type { createWebhooks } from "./webhooks.js";

/**
 * The Fastify app: the webhook plugin keeps the raw body on its own route only, so every other
 * route keeps Fastify's JSON parser.
 */
export async function createApp({
  receiver,
  queue,
}: Pick<Awaited<ReturnType<typeof createWebhooks>>, "receiver" | "queue">): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(webhookPlugin, { receiver, path: "/webhooks/stripe" });
  // Readiness: 503 while no worker pulls from the stream's consumer (none started, or one on
  // another stream, consumer or server) — deliveries would be accepted and never handled.
  app.get("/healthz", async (_request, reply) => {
    try {
      const health = await natsHealth(queue);
      return reply.code(health.ok ? 200 : 503).send(health);
    } catch (error) {
      return reply.code(503).send({ ok: false, problem: (error as Error).message });
    }
  });
  return app;
}
