import type { Receiver } from "@hookgate/core";
import { handleNodeRequest, writeNodeResponse } from "@hookgate/core/kit";
import type { NextApiRequest, NextApiResponse } from "next";

/** Options for {@link createRouteHandler}. */
export interface RouteHandlerOptions {
  /**
   * The public URL the sender posted to, for schemes that sign it (Twilio). Set it behind a proxy
   * that changes the scheme, host or path.
   * @default request.url
   */
  publicUrl?: string | ((request: Request) => string);
  /**
   * The client address, for `allowIps`; the App Router gives none, so read it from your platform
   * (e.g. the `x-forwarded-for` header your proxy sets).
   * @default no address
   */
  ip?: (request: Request) => string | undefined;
  /**
   * Keeps handlers that run past the receiver's `deadlineMs` alive after the answer: pass Next's
   * `after` (`import { after } from "next/server"`, Next 15+) or your platform's `waitUntil`.
   */
  waitUntil?: (promise: Promise<unknown>) => void;
}

/** Options for {@link createPagesHandler}. */
export interface PagesHandlerOptions {
  /**
   * The public URL the sender posted to, for schemes that sign it (Twilio). Set it behind a proxy.
   * @default the Host header and `req.url`, over http unless the socket is TLS
   */
  publicUrl?: string | ((req: NextApiRequest) => string);
  /**
   * The client address, for `allowIps`.
   * @default req.socket.remoteAddress
   */
  ip?: (req: NextApiRequest) => string | undefined;
}

/**
 * An App Router route handler (Node.js and Edge runtimes) that reads the exact raw body, runs it
 * through the receiver and answers.
 *
 * @example
 * // app/api/webhooks/stripe/route.ts
 * export const { POST } = createRouteHandler(receiver);
 */
export function createRouteHandler(
  receiver: Pick<Receiver, "fetch">,
  options: RouteHandlerOptions = {},
): { POST: (request: Request) => Promise<Response> } {
  const { publicUrl, ip, waitUntil } = options;
  return {
    POST(request) {
      return receiver.fetch(request, {
        url: typeof publicUrl === "function" ? publicUrl(request) : publicUrl,
        ip: ip?.(request),
        waitUntil,
      });
    },
  };
}

/**
 * A Pages Router API route handler. Next.js parses API bodies by default, which loses the bytes
 * the sender signed: export `config = { api: { bodyParser: false } }` beside it (without it,
 * every delivery is answered 500 with an error that says so).
 *
 * @example
 * // pages/api/webhooks/stripe.ts
 * export const config = { api: { bodyParser: false } };
 * export default createPagesHandler(receiver);
 */
export function createPagesHandler(
  receiver: Pick<Receiver, "handle">,
  options: PagesHandlerOptions = {},
): (req: NextApiRequest, res: NextApiResponse) => Promise<void> {
  const { publicUrl, ip } = options;
  return async (req, res) => {
    const result = await handleNodeRequest(receiver, req, {
      url: typeof publicUrl === "function" ? publicUrl(req) : publicUrl,
      ip: ip?.(req),
      body: req.body,
      parsers:
        "Next.js's API body parser: add `export const config = { api: { bodyParser: false } }` to this API route",
    });
    writeNodeResponse(res, result);
  };
}
