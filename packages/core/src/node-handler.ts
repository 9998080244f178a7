import { concatBytes, utf8, utf8Length } from "./internal/bytes.js";
import type { BodySource, DeclaredBodyReader } from "./internal/read-body.js";
import { runtime } from "./internal/runtime.js";
import type { HandleInput, HandleResult, Receiver } from "./receiver/types.js";

/** The parts of Node's `IncomingMessage` the bridge reads. */
export interface NodeRequestLike extends AsyncIterable<Uint8Array | string> {
  /** Node's event API; where present, a declared-length body is read with `data`/`end` events. */
  on?(event: "data", listener: (chunk: Uint8Array | string) => void): unknown;
  on?(event: "end" | "error", listener: (error?: Error) => void): unknown;
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
  /** Node's `writeHead`; where present, the answer's status and headers are written with it. */
  writeHead?(status: number, headers: Record<string, string>): unknown;
  end(body?: string): unknown;
  readonly headersSent?: boolean;
}

/** What an adapter knows about a Node request beyond the request itself. */
export interface NodeHandleOptions {
  /** The full public URL; derived from the Host header and socket when absent. */
  url?: string | undefined;
  /** The client address; the socket's when absent. */
  ip?: string | undefined;
  /** Route parameters (`/webhooks/:tenant`), for a per-request `secret` function. */
  params?: Readonly<Record<string, string>> | undefined;
  /** The body as the framework holds it (`req.body`, `ctx.request.body`), whatever it is. */
  body?: unknown;
  /** The framework's body parsers, named for the error when one consumed the body first. */
  parsers?: string | undefined;
}

function isBytes(value: unknown): value is Uint8Array | string {
  return value instanceof Uint8Array || typeof value === "string";
}

/**
 * The body to verify, by one rule for every Node framework: the exact bytes a parser kept on
 * `req.rawBody` (the `express.json({ verify })` pattern), else bytes the framework read
 * (`express.raw()`, a text parser), else the stream if nobody read it; otherwise it was consumed.
 */
function nodeBody(
  req: NodeRequestLike,
  options: NodeHandleOptions,
): { rawBody: BodySource; consumedBy?: string } {
  const kept = (req as { rawBody?: unknown }).rawBody;
  if (isBytes(kept)) return { rawBody: kept };
  if (isBytes(options.body)) return { rawBody: options.body };
  if (!req.readableEnded) return { rawBody: streamedBody(req) };
  return {
    rawBody: new Uint8Array(0),
    consumedBy: options.parsers
      ? `a body parser that ran before this route (${options.parsers})`
      : "a body parser that ran before this route",
  };
}

/**
 * The body of a Node request that nothing has started to read, as the Node bridge reads it: a
 * declared length with `data` events (resolved at its last byte), else the stream. Undefined once
 * anything has read from it or set it flowing — the request is then someone else's to read. For
 * a Web server that hands Node's request over beside its `Request` (`@hono/node-server`): reading
 * Node's request spares building a Web body, waiting for `end` and copying the bytes out.
 */
export function unreadNodeBody(incoming: unknown): BodySource | undefined {
  // Only where `nodeHeaderRecord` takes the request as Node's own (HTTP/1).
  if (!nodeHeaderRecord(incoming)) return undefined;
  const req = incoming as NodeRequestLike & { readableDidRead?: unknown; readableFlowing?: unknown };
  if (req.readableDidRead !== false || req.readableFlowing !== null) return undefined;
  return streamedBody(req);
}

/** A body still to be read: a declared length with `data` events where it can, else the stream. */
function streamedBody(req: NodeRequestLike): BodySource {
  const declared = req.headers["content-length"];
  return req.on && typeof declared === "string" ? declaredBody(req, Number(declared)) : req;
}

/**
 * A declared-length body read with `data`/`end` events — cheaper than the stream's async
 * iterator — once core has checked the declared length against `maxBodyBytes`. It is whole once
 * the declared bytes are in (Node's parser frames the body by that length): the answer need not
 * wait for `end`, which Node emits in a later turn of the event loop. Each chunk goes to
 * `onChunk` as it arrives (streaming verification).
 */
function declaredBody(req: NodeRequestLike, declared: number): DeclaredBodyReader {
  return (onChunk) =>
    new Promise<Uint8Array>((resolve, reject) => {
      const chunks: Uint8Array[] = [];
      let size = 0;
      let done = false;
      const whole = () => {
        if (done) return;
        done = true;
        resolve(chunks.length === 1 ? chunks[0]! : concatBytes(chunks));
      };
      req.on!("data", (chunk) => {
        const bytes = typeof chunk === "string" ? utf8(chunk) : chunk;
        onChunk?.(bytes);
        chunks.push(bytes);
        size += bytes.byteLength;
        if (size === declared) whole();
      });
      req.on!("end", whole);
      req.on!("error", (error) => reject(error));
    });
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
  return receiver.handle(new NodeInput(req, options));
}

/**
 * A Node request as the receiver takes it. The client address is read only where it is asked for
 * (allowIps): an adapter's proxy-aware address (Express's `req.ip`, Koa's `ctx.ip`), passed as a
 * getter, then costs nothing on other requests. A class, so the getter is its prototype's, not a
 * new closure and accessor per request; the request itself is private (never spread or serialized).
 */
class NodeInput implements HandleInput {
  readonly method: string | undefined;
  readonly url: string;
  readonly headers: NodeRequestLike["headers"];
  readonly rawBody: BodySource;
  readonly params: Readonly<Record<string, string>> | undefined;
  readonly bodyConsumedBy: string | undefined;
  readonly #req: NodeRequestLike;
  readonly #options: NodeHandleOptions;

  constructor(req: NodeRequestLike, options: NodeHandleOptions) {
    const { rawBody, consumedBy } = nodeBody(req, options);
    this.method = req.method;
    this.url = options.url ?? nodeRequestUrl(req);
    this.headers = req.headers;
    this.rawBody = rawBody;
    this.params = options.params;
    this.bodyConsumedBy = consumedBy;
    this.#req = req;
    // Not `options.ip` now: adapters pass it as a getter, to be read only when asked for.
    this.#options = options;
  }

  get ip(): string | undefined {
    return this.#options.ip ?? this.#req.socket?.remoteAddress;
  }
}

/** Writes a receiver's answer to a Node response. */
export function writeNodeResponse(res: NodeResponseLike, result: HandleResult): void {
  const { headers } = result;
  // One call where the response has one (Node's own): with no header set before, Node writes
  // these as they are, without building its header map one `setHeader` at a time; headers set
  // before (a framework's, a middleware's) are kept, as `setHeader` would keep them.
  if (typeof res.writeHead === "function") res.writeHead(result.status, framed(result));
  else {
    res.statusCode = result.status;
    for (const name in headers) res.setHeader(name, headers[name]!);
  }
  res.end(result.body);
}

/**
 * The answer's headers with its `Content-Length`: `writeHead` fixes the framing before the body is
 * known, so without it Node would send the answer chunked (a chunk header, the body and a
 * terminating chunk, in a `writev`) where `end(body)` alone sends one length-framed write. Left
 * to Node where the answer has no body by its status, or already says how it is framed.
 */
function framed(result: HandleResult): Record<string, string> {
  const { status, headers } = result;
  if (status < 200 || status === 204 || status === 304) return headers;
  // Copied name by name: V8 takes its slow path for a spread followed by a new property, about
  // 0.8 µs per answer against 0.1 µs for this loop.
  const out: Record<string, string> = {};
  for (const name in headers) {
    // Lower-cased only at the two lengths that could match.
    const lower = name.length === 14 || name.length === 17 ? name.toLowerCase() : "";
    if (lower === "content-length" || lower === "transfer-encoding") return headers;
    out[name] = headers[name]!;
  }
  const body = result.body ?? "";
  // What Node writes for the string: its own count (a lone surrogate is U+FFFD, three bytes, as
  // `utf8Length` counts it), one native call where the loop reads every character.
  out["content-length"] = String(runtime.buffer?.Buffer.byteLength(body, "utf8") ?? utf8Length(body));
  return out;
}

/**
 * The header record of Node's own request where a Web server hands it over beside the `Request`
 * (`@hono/node-server` calls `fetch(request, { incoming, outgoing })`, and Hono puts it in
 * `c.env`): the same headers the Node bridge reads for node:http, Express and Koa, as Node parsed
 * them. Reading it spares the server materializing a Web `Headers` per request (core counts every
 * header against `maxHeaderBytes`, and a lazy `Headers` is built whole for that). HTTP/1 only, and
 * only for something shaped like an `IncomingMessage`; otherwise undefined, and the `Request`'s
 * own headers are read.
 */
export function nodeHeaderRecord(incoming: unknown): NodeRequestLike["headers"] | undefined {
  if (incoming === null || typeof incoming !== "object") return undefined;
  const { httpVersionMajor, rawHeaders, headers } = incoming as {
    httpVersionMajor?: unknown;
    rawHeaders?: unknown;
    headers?: unknown;
  };
  if (httpVersionMajor !== 1 || !Array.isArray(rawHeaders) || headers === null || typeof headers !== "object")
    return undefined;
  return headers as NodeRequestLike["headers"];
}

/**
 * The request URL as the client addressed it: scheme from the socket, host from the Host header,
 * then `path` — the request's own target unless a framework that rewrites it for mounted apps
 * says what it was (Koa's `ctx.originalUrl`).
 */
export function nodeRequestUrl(req: NodeRequestLike, path = req.url ?? "/"): string {
  const host = req.headers.host ?? "localhost";
  const protocol = req.socket?.encrypted ? "https" : "http";
  return `${protocol}://${Array.isArray(host) ? host[0] : host}${path}`;
}
