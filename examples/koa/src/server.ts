import { webhookMiddleware } from "@hookgate/koa";
import Router from "@koa/router";
import Koa from "koa";
import bodyParser from "koa-bodyparser";
import { receiver } from "./webhooks.js";

const app = new Koa();

// The webhook routes come first: the middleware answers, so koa-bodyparser below never reads their body.
const webhooks = new Router({ prefix: "/webhooks" });
webhooks.post("/github", webhookMiddleware(receiver));
app.use(webhooks.routes()).use(webhooks.allowedMethods());

// The rest of the app parses JSON as usual.
const api = new Router({ prefix: "/api" });
api.post("/echo", (ctx) => {
  ctx.body = { received: ctx.request.body };
});
app.use(bodyParser()).use(api.routes()).use(api.allowedMethods());

const port = Number(process.env.PORT ?? 3000);
app.listen(port, () => {
  console.log(`Listening on http://localhost:${port}; POST GitHub webhooks to /webhooks/github`);
  console.log("Send a signed test delivery with: pnpm send");
});
