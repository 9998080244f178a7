import { webhookMiddleware } from "@hookgate/express";
import express from "express";
import { receiver } from "./webhooks.js";

const app = express();

// The webhook route comes first, so express.json() below never touches its body.
app.post("/webhooks/stripe", webhookMiddleware(receiver));

// The rest of the app parses JSON as usual.
app.use(express.json());
app.post("/api/echo", (req, res) => {
  res.json({ received: req.body });
});

const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => {
  console.log(`Listening on http://localhost:${port}; POST Stripe webhooks to /webhooks/stripe`);
  console.log("Send a signed test delivery with: pnpm send");
});
