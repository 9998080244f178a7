import { serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { createApp } from "./app.js";

const port = Number(process.env.PORT ?? 3000);
serve({ fetch: createApp(getConnInfo).fetch, port }, () => {
  console.log(`Listening on http://localhost:${port}; POST Standard Webhooks deliveries to /webhooks`);
  console.log("Send a signed test delivery with: pnpm send");
});
