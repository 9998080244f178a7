import type { Receiver } from "@hookgate/core";
import { handleNodeRequest, writeNodeResponse } from "@hookgate/core/kit";
import type { NextFunction, Request, RequestHandler, Response } from "express";

/** Options for {@link webhookMiddleware}. */
export interface WebhookMiddlewareOptions {
  /**
   * The public URL the sender posted to, for schemes that sign it (Twilio). Set it behind a proxy
   * that changes the scheme, host or path.
   * @default `${req.protocol}://${req.get("host")}${req.originalUrl}` (`trust proxy` applies to the protocol)
   */
  publicUrl?: string | ((req: Request) => string);
}

/**
 * Express 4 and 5 middleware that reads the exact raw body, runs it through the receiver and
 * answers. Mount it before `express.json()` reaches the route; if a body parser got there first,
 * it answers 500 with an error that says how to fix the mounting.
 *
 * @example
 * app.post("/webhooks/stripe", webhookMiddleware(receiver));
 * app.use(express.json()); // the rest of the app
 */
export function webhookMiddleware(
  receiver: Pick<Receiver, "handle">,
  options: WebhookMiddlewareOptions = {},
): RequestHandler {
  const { publicUrl } = options;
  return (req: Request, res: Response, next: NextFunction) => {
    handleNodeRequest(receiver, req, {
      url:
        typeof publicUrl === "function"
          ? publicUrl(req)
          : (publicUrl ?? `${req.protocol}://${req.get("host")}${req.originalUrl}`),
      // req.ip, so that Express's `trust proxy` setting decides which address is the client's;
      // read only where the receiver asks for it (allowIps).
      get ip() {
        return req.ip;
      },
      params: req.params as Record<string, string>,
      body: req.body,
      parsers: "express.json(), express.urlencoded() or body-parser",
    }).then((result) => writeNodeResponse(res, result), next);
  };
}
