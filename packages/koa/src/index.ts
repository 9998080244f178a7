import type { Receiver } from "@hookgate/core";
import { handleNodeRequest } from "@hookgate/core/kit";
import type { Context, Middleware } from "koa";

/** Options for {@link webhookMiddleware}. */
export interface WebhookMiddlewareOptions {
  /**
   * The public URL the sender posted to, for schemes that sign it (Twilio). Set it behind a proxy
   * that changes the scheme, host or path.
   * @default ctx.href (`app.proxy` applies to its protocol and host)
   */
  publicUrl?: string | ((ctx: Context) => string);
}

/**
 * Koa 2 and 3 middleware that reads the exact raw body, runs it through the receiver and answers.
 * It ends the request (it does not call `next`); mount it on the webhook route, before
 * `koa-bodyparser` reaches it, or it answers 500 with an error that says how to fix the mounting.
 *
 * @example
 * router.post("/webhooks/stripe", webhookMiddleware(receiver));
 * app.use(router.routes()).use(bodyParser());
 */
export function webhookMiddleware(
  receiver: Pick<Receiver, "handle">,
  options: WebhookMiddlewareOptions = {},
): Middleware {
  const { publicUrl } = options;
  return async (ctx) => {
    const result = await handleNodeRequest(receiver, ctx.req, {
      url: typeof publicUrl === "function" ? publicUrl(ctx) : (publicUrl ?? ctx.href),
      // ctx.ip, so that Koa's `app.proxy` setting decides which address is the client's; read
      // only where the receiver asks for it (allowIps).
      get ip() {
        return ctx.ip;
      },
      params: (ctx as { params?: Record<string, string> }).params,
      body: (ctx.request as { body?: unknown }).body,
      parsers: "koa-bodyparser, @koa/bodyparser or koa-body",
    });
    // Answered through ctx rather than ctx.res, so Koa's own response handling stays in charge.
    ctx.status = result.status;
    ctx.set(result.headers);
    ctx.body = result.body;
  };
}
