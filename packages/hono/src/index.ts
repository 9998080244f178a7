import type { Receiver } from "@hookgate/core";
import { nodeHeaderRecord, unreadNodeBody } from "@hookgate/core/kit";
import type { Context, Handler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Options for {@link webhookHandler}. */
export interface WebhookHandlerOptions {
  /**
   * The public URL the sender posted to, for schemes that sign it (Twilio). Set it behind a proxy
   * that changes the scheme, host or path.
   * @default c.req.url
   */
  publicUrl?: string | ((c: Context) => string);
  /**
   * The client address, for `allowIps`; Hono has no runtime-neutral source for it, so pass your
   * runtime's, e.g. `(c) => getConnInfo(c).remote.address` from `hono/bun` or `@hono/node-server/conninfo`.
   * @default no address
   */
  ip?: (c: Context) => string | undefined;
}

/**
 * A Hono handler that reads the exact raw bytes of `c.req.raw`, runs them through the receiver
 * and answers. Web-standard only, so it runs on Node (`@hono/node-server`), Bun, Deno and Workers.
 *
 * @example
 * app.post("/webhooks/stripe", webhookHandler(receiver));
 */
export function webhookHandler(
  receiver: Pick<Receiver, "handle">,
  options: WebhookHandlerOptions = {},
): Handler {
  const { publicUrl, ip } = options;
  return async (c) => {
    const request = c.req.raw;
    // On @hono/node-server (HTTP/1), Node's own request, as the Node bridge reads it: its header
    // record (iterating `c.req.raw.headers` would make node-server build a `Headers` per request)
    // and, while nothing has touched the body, its body, read to its declared last byte (Hono's
    // read waits for `end` and copies the bytes into an `ArrayBuffer`).
    const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
    const nodeHeaders = nodeHeaderRecord(incoming);
    const cached = Object.keys(c.req.bodyCache)[0];
    let rawBody = cached === undefined && !request.bodyUsed ? unreadNodeBody(incoming) : undefined;
    let bodyConsumedBy: string | undefined;
    if (rawBody === undefined) {
      const consumedBy = "an earlier middleware that read c.req.raw";
      const declared = nodeHeaders ? nodeHeaders["content-length"] : c.req.header("content-length");
      if (cached === undefined && declared !== undefined) {
        // A declared length: read it whole through Hono, the fastest read on the other runtimes
        // (it skips building a Web stream). Core calls this only after checking the length.
        rawBody = Object.assign(() => c.req.arrayBuffer(), { consumedBy });
      } else if (request.bodyUsed) {
        // HonoRequest caches the first body it read and converts it for later reads: text and bytes
        // convert back to what was sent, but parsed JSON or form data would be re-serialized.
        if (cached === "arrayBuffer" || cached === "blob" || cached === "text")
          rawBody = await c.req.arrayBuffer();
        else bodyConsumedBy = cached ? `c.req.${cached}() in an earlier middleware or validator` : consumedBy;
      }
    }
    const result = await receiver.handle({
      method: request.method,
      url: typeof publicUrl === "function" ? publicUrl(c) : (publicUrl ?? request.url),
      headers: nodeHeaders ?? request.headers,
      rawBody: rawBody ?? request.body ?? new Uint8Array(0),
      ip: ip?.(c),
      params: c.req.param() as Record<string, string>,
      bodyConsumedBy,
      waitUntil: waitUntilOf(c),
    });
    return c.body(result.body, result.status as ContentfulStatusCode, result.headers);
  };
}

/**
 * The Workers runtime's `ctx.waitUntil`, where there is one. Hono throws reading `executionCtx`
 * where there is none (Node), so it is read only when work outlives the answer, not per request:
 * without one, the work goes on in the process as it would without `waitUntil`.
 */
function waitUntilOf(c: Context): (promise: Promise<unknown>) => void {
  return (promise) => {
    let context: Context["executionCtx"];
    try {
      context = c.executionCtx;
    } catch {
      return;
    }
    context.waitUntil(promise);
  };
}
