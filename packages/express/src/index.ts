import type { Receiver } from "@hookgate/core";
import { handleNodeRequest, type NodeHandleOptions, writeNodeResponse } from "@hookgate/core/kit";
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
    const url =
      typeof publicUrl === "function"
        ? publicUrl(req)
        : (publicUrl ?? `${req.protocol}://${req.get("host")}${req.originalUrl}`);
    handleNodeRequest(receiver, req, new ExpressRequest(req, url)).then(
      (result) => writeNodeResponse(res, result),
      next,
    );
  };
}

/**
 * What the bridge takes from an Express request. A class, so that the client address is a getter
 * on its prototype, read only where the receiver asks for it (allowIps): `req.ip`, so that
 * Express's `trust proxy` setting decides which address is the client's.
 */
class ExpressRequest implements NodeHandleOptions {
  readonly url: string;
  readonly params: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly #req: Request;

  constructor(req: Request, url: string) {
    this.url = url;
    this.params = req.params as Record<string, string>;
    this.body = req.body;
    this.#req = req;
  }

  get ip(): string | undefined {
    return this.#req.ip;
  }

  get parsers(): string {
    return "express.json(), express.urlencoded() or body-parser";
  }
}
