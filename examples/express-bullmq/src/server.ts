import { bullmqHealth } from "@hookgate/bullmq";
import { webhookMiddleware } from "@hookgate/express";
import express from "express";
import { queue, receiver } from "./webhooks.js";

const app = express();

// The webhook route comes first, so express.json() below never touches its body.
app.post("/webhooks/stripe", webhookMiddleware(receiver));
app.use(express.json());

// Readiness: 503 while no worker consumes the queue (none started, or one on another queue name
// or Redis database) — deliveries would be accepted and never handled.
app.get("/healthz", async (_req, res) => {
  try {
    const health = await bullmqHealth(queue);
    res.status(health.ok ? 200 : 503).json(health);
  } catch (error) {
    res.status(503).json({ ok: false, problem: (error as Error).message });
  }
});

const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, () => {
  console.log(
    `Receiver on http://localhost:${port}/webhooks/stripe (pid ${process.pid}); answers 202 once Redis holds the job`,
  );
  console.log(
    `Start the worker with \`pnpm worker\`, check http://localhost:${port}/healthz, then \`pnpm send\``,
  );
});

// Stop taking requests, let the ones in progress finish, then close the queue's connection.
function shutdown() {
  server.close(() => void queue.close().then(() => process.exit(0)));
}
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
