import { webhookMiddleware } from "@hookgate/express";
import express from "express";
import { connect } from "./services.js";
import { webhookReceiver } from "./webhooks.js";

const services = await connect();
const receiver = webhookReceiver(services.store, services.queue);

const app = express();
// The webhook route comes first, so express.json() below never touches its body.
app.post("/webhooks/stripe", webhookMiddleware(receiver));
app.use(express.json());
app.get("/healthz", (_req, res) => {
  res.json({ ok: true });
});

const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, () => {
  console.log(`Listening on http://localhost:${port}; POST Stripe webhooks to /webhooks/stripe`);
  console.log("Run the worker with `pnpm worker`, then send test deliveries with `pnpm send`");
});

process.once("SIGINT", () => {
  server.close();
  void services.close();
});
