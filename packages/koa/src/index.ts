import type { Receiver } from "@hookgate/core";
import { handleNodeRequest, type NodeHandleOptions, nodeRequestUrl } from "@hookgate/core/kit";
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
    const url = typeof publicUrl === "function" ? publicUrl(ctx) : (publicUrl ?? href(ctx));
    const result = await handleNodeRequest(receiver, ctx.req, new KoaRequest(ctx, url));
    // Answered through ctx rather than ctx.res, so Koa's own response handling stays in charge.
    ctx.status = result.status;
    // What `ctx.set(headers)` does with string values (Koa 2 and 3), without the arrays Koa 3
    // builds to normalize array values.
    if (!ctx.headerSent) {
      const { headers } = result;
      for (const name in headers) ctx.res.setHeader(name, headers[name]!);
    }
    ctx.body = result.body;
  };
}

/**
 * `ctx.href`, read from the request where Koa's answer is plain — no `app.proxy`, HTTP/1, a path (not
 * an absolute URL) and a Host header of one value without userinfo or padding — without Koa's chain
 * of getters and the arrays it splits the Host header into (a quarter of the cost); anything else is
 * Koa's own `ctx.href`, so `app.proxy` and X-Forwarded-Proto/Host apply exactly as Koa applies them.
 */
function href(ctx: Context): string {
  const { req, originalUrl } = ctx;
  const host = req.headers.host;
  if (
    ctx.app.proxy ||
    req.httpVersionMajor >= 2 ||
    originalUrl.charCodeAt(0) !== 47 || // "/"
    !host ||
    host.includes(",") ||
    host.includes("@") ||
    host.trim() !== host
  )
    return ctx.href;
  return nodeRequestUrl(req, originalUrl);
}

/**
 * What the bridge takes from a Koa context. A class, so that the client address is a getter on its
 * prototype, read only where the receiver asks for it (allowIps): `ctx.ip`, so that Koa's
 * `app.proxy` setting decides which address is the client's.
 */
class KoaRequest implements NodeHandleOptions {
  readonly url: string;
  readonly params: Readonly<Record<string, string>> | undefined;
  readonly body: unknown;
  readonly #ctx: Context;

  constructor(ctx: Context, url: string) {
    this.url = url;
    this.params = (ctx as { params?: Record<string, string> }).params;
    this.body = (ctx.request as { body?: unknown }).body;
    this.#ctx = ctx;
  }

  get ip(): string {
    return this.#ctx.ip;
  }

  get parsers(): string {
    return "koa-bodyparser, @koa/bodyparser or koa-body";
  }
}
