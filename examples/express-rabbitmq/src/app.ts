import { amqpHealth } from "@hookgate/amqp";
import { webhookMiddleware } from "@hookgate/express";
import express, { type Express } from "express";
import type { createWebhooks } from "./webhooks.js";

type Webhooks = Awaited<ReturnType<typeof createWebhooks>>;

/** The Express app: the webhook route comes first, so express.json() never touches its body. */
export function createApp({ receiver, queue }: Pick<Webhooks, "receiver" | "queue">): Express {
  const app = express();
  app.post("/webhooks/stripe", webhookMiddleware(receiver));
  app.use(express.json());
  // Readiness: 503 while no worker consumes the queue (none started, or one on another queue name
  // or broker) — deliveries would be accepted and never handled.
  app.get("/healthz", async (_req, res) => {
    try {
      const health = await amqpHealth(queue);
      res.status(health.ok ? 200 : 503).json(health);
    } catch (error) {
      res.status(503).json({ ok: false, problem: (error as Error).message });
    }
  });
  return app;
}
