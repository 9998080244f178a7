import type { BodySource } from "./internal/read-body.js";
import type { HandleResult, Receiver } from "./receiver.js";

/** The parts of Node's `IncomingMessage` the bridge reads. */
export interface NodeRequestLike extends AsyncIterable<Uint8Array | string> {
  method?: string | undefined;
  url?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  /** Node sets this once the body stream has been fully read. */
  readableEnded?: boolean;
  socket?: { remoteAddress?: string | undefined; encrypted?: boolean } | undefined;
}

/** The parts of Node's `ServerResponse` the bridge writes. */
export interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
  readonly headersSent?: boolean;
}

/** What an adapter knows about a Node request beyond the request itself. */
export interface NodeHandleOptions {
  /** The full public URL; derived from the Host header and socket when absent. */
  url?: string | undefined;
  /** The client address; the socket's when absent. */
  ip?: string | undefined;
  /** A body a framework already read (a Buffer or string from a raw/text parser, or a parsed object). */
  body?: unknown;
  /** Set when the framework consumed the body: names what did, so the error can say how to fix it. */
  bodyConsumedBy?: string | undefined;
}

/**
 * The bridge every Node adapter (Express, Koa, Next.js Pages) stands on: takes a Node request,
 * runs it through the receiver, and returns the answer for the adapter to write.
 */
export function handleNodeRequest(
  receiver: Pick<Receiver, "handle">,
  req: NodeRequestLike,
  options: NodeHandleOptions = {},
): Promise<HandleResult> {
  let rawBody: BodySource | unknown;
  if (options.body instanceof Uint8Array || typeof options.body === "string") rawBody = options.body;
  else if (req.readableEnded) rawBody = options.body;
  else rawBody = req;
  return receiver.handle({
    method: req.method,
    url: options.url ?? nodeRequestUrl(req),
    headers: req.headers,
    rawBody: rawBody as BodySource,
    ip: options.ip ?? req.socket?.remoteAddress,
    bodyConsumedBy: options.bodyConsumedBy,
  });
}

/** Writes a receiver's answer to a Node response. */
export function writeNodeResponse(res: NodeResponseLike, result: HandleResult): void {
  res.statusCode = result.status;
  for (const [name, value] of Object.entries(result.headers)) res.setHeader(name, value);
  res.end(result.body);
}

/** The request URL as the client addressed it: scheme from the socket, host from the Host header. */
export function nodeRequestUrl(req: NodeRequestLike): string {
  const host = req.headers.host ?? "localhost";
  const protocol = req.socket?.encrypted ? "https" : "http";
  return `${protocol}://${Array.isArray(host) ? host[0] : host}${req.url ?? "/"}`;
}
