import { webhookMiddleware } from "@hookgate/express";
import express, { type Express } from "express";
import type { createWebhooks } from "./webhooks.js";

/** The Express app: the webhook route comes first, so express.json() never touches its body. */
export function createApp(receiver: Awaited<ReturnType<typeof createWebhooks>>["receiver"]): Express {
  const app = express();
  app.post("/webhooks/stripe", webhookMiddleware(receiver));
  app.use(express.json());
  return app;
}
