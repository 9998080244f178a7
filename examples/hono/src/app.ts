import { webhookHandler } from "@hookgate/hono";
import { Hono } from "hono";
import type { GetConnInfo } from "hono/conninfo";
import { receiver } from "./webhooks.js";

/**
 * The app, runtime-neutral: the same code runs on Bun, Deno and Workers. Only the client address
 * comes from the runtime (`getConnInfo` from `hono/bun`, `hono/deno`, `hono/cloudflare-workers`…).
 */
export function createApp(getConnInfo?: GetConnInfo): Hono {
  const app = new Hono();
  app.post(
    "/webhooks",
    webhookHandler(receiver, getConnInfo ? { ip: (c) => getConnInfo(c).remote.address } : {}),
  );
  // Other routes read bodies as usual.
  app.post("/api/echo", async (c) => c.json({ received: await c.req.json() }));
  return app;
}
