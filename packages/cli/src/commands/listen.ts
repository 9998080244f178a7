import { AsyncLocalStorage } from "node:async_hooks";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createReceiver, type DeliveryJournal, memoryJournal, type Receiver } from "@hookgate/core";
import { handleNodeRequest, type NodeRequestLike, writeNodeResponse } from "@hookgate/core/kit";
import { type SchemeFlags, schemeFor } from "../internal/inputs.js";
import { type OpenedJournal, openJournal } from "../internal/journal-arg.js";
import { formatMs } from "../internal/stats.js";
import { CliError, type CliIO, painter } from "../io.js";
import { formatTime } from "./deliveries.js";
import { describeNetworkError } from "./send.js";

/** Options of `hookgate listen`. */
export interface ListenOptions extends SchemeFlags {
  /** @default 3000 */
  port?: number | string;
  /** @default 127.0.0.1 */
  host?: string;
  scheme?: string;
  secret?: string;
  /** Where deliveries are journaled. @default memory */
  journal?: string;
  /** The user's app: each verified delivery is forwarded there, bytes and headers as received. */
  forwardTo?: string;
  /**
   * Forward duplicates too: a delivery the receiver has seen before is answered `200 duplicate`
   * (its handlers do not run, so by default your app never sees it); with this, it is also
   * forwarded, to exercise the app's own idempotency. The sender's answer stays `200 duplicate`.
   * @default false
   */
  forwardDuplicates?: boolean;
  /** Per-forward timeout, in ms. @default 10000 */
  timeout?: number | string;
  /** Largest request body accepted (413 past it), in bytes. @default 1048576, the receiver's */
  maxBodyBytes?: number | string;
  /** Longest wait for a request body to arrive (408 past it), in ms. @default 5000, the receiver's */
  bodyTimeoutMs?: number | string;
}

/** A whole-number flag (`--timeout 5000`), or `undefined` when not given. */
function wholeFlag(flag: string, value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new CliError(`--${flag} must be a whole number ≥ 1, not "${String(value)}"`);
  return n;
}

/** A running `listen`: its URL, and how to stop it. */
export interface Listening {
  url: string;
  receiver: Receiver;
  journal: DeliveryJournal;
  close(): Promise<void>;
}

/** Headers that describe one hop, not the delivery: never forwarded. */
const HOP_HEADERS = new Set([
  "host",
  "connection",
  "content-length",
  "transfer-encoding",
  "keep-alive",
  "expect",
]);

interface RequestContext {
  headers: IncomingHttpHeaders;
  /** The body bytes as the receiver read them, for forwarding a duplicate. */
  body: Uint8Array[];
  type?: string;
  forward?: { status?: number; body?: string; ms: number; error?: string };
}

/** The answer of the app a delivery was forwarded to, as a handler error when it is not 2xx. */
class ForwardError extends Error {
  override name = "ForwardError";
}

/** Posts a delivery's bytes and headers, as received, to the app; its answer, or why there was none. */
async function forward(
  to: string,
  received: IncomingHttpHeaders,
  body: Uint8Array,
  timeout: number,
): Promise<NonNullable<RequestContext["forward"]>> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(received)) {
    if (value !== undefined && !HOP_HEADERS.has(name))
      headers[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  const started = performance.now();
  try {
    const response = await fetch(to, {
      method: "POST",
      headers,
      // The verified bytes, exactly as received (a batch's events each carry the whole body).
      body: body as Uint8Array<ArrayBuffer>,
      redirect: "manual",
      signal: AbortSignal.timeout(timeout),
    });
    const text = await response.text();
    return { status: response.status, body: text, ms: performance.now() - started };
  } catch (error) {
    const { code, text } = describeNetworkError(error);
    return { error: `${text} (${code})`, ms: performance.now() - started };
  }
}

/** The request as the receiver reads it, keeping a copy of each body chunk in `kept`. */
function keepingBody(req: IncomingMessage, kept: Uint8Array[]): NodeRequestLike {
  const keep = (chunk: Uint8Array | string) => {
    kept.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
    return chunk;
  };
  const request = {
    method: req.method,
    url: req.url,
    headers: req.headers,
    socket: req.socket,
    get readableEnded() {
      return req.readableEnded;
    },
    // biome-ignore lint/suspicious/noExplicitAny: one function for NodeRequestLike's two `on` overloads.
    on(event: "data" | "end" | "error", listener: (value: any) => void) {
      req.on(event, event === "data" ? (chunk: Uint8Array | string) => listener(keep(chunk)) : listener);
      return request;
    },
    async *[Symbol.asyncIterator]() {
      for await (const chunk of req as AsyncIterable<Uint8Array | string>) yield keep(chunk);
    },
  };
  return request;
}

/**
 * `hookgate listen`: a local receiver that verifies each request with the scheme and secret,
 * journals it, prints it live (status, type, latency) and, with `--forward-to`, forwards the exact
 * request (bytes and headers) to your app: a delivery is handled when the app answers 2xx, and
 * failed (so the sender retries) otherwise. Duplicates are answered without forwarding, unless
 * `--forward-duplicates`. Resolves once listening; `close()` stops it.
 */
export async function listen(options: ListenOptions, io: CliIO): Promise<Listening> {
  const scheme = await schemeFor(options.scheme, options.secret, options, io);
  const port = options.port === undefined ? 3000 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new CliError(`--port must be 0–65535, not "${String(options.port)}"`);
  const host = options.host ?? "127.0.0.1";
  const timeout = wholeFlag("timeout", options.timeout) ?? 10_000;
  const maxBodyBytes = wholeFlag("max-body-bytes", options.maxBodyBytes);
  const bodyTimeoutMs = wholeFlag("body-timeout-ms", options.bodyTimeoutMs);
  let forwardTo: string | undefined;
  if (options.forwardTo !== undefined) {
    try {
      forwardTo = new URL(options.forwardTo).href;
    } catch {
      throw new CliError(
        `--forward-to "${options.forwardTo}" is not a URL, e.g. http://localhost:4000/webhooks`,
      );
    }
  }
  const opened: OpenedJournal =
    options.journal === undefined
      ? { journal: memoryJournal(), close: async () => {} }
      : await openJournal(options.journal, io);
  const paint = painter(io.stdout, io.env);
  const context = new AsyncLocalStorage<RequestContext>();
  // The body is read by the receiver, bounded in size and time like any adapter's (413, 408).
  const receiver = createReceiver({
    scheme,
    journal: opened.journal,
    tolerance: 300,
    ...(maxBodyBytes === undefined ? {} : { maxBodyBytes }),
    ...(bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs }),
  });
  receiver.onAny(async (event) => {
    const request = context.getStore();
    if (!request) return;
    request.type = event.type;
    if (!forwardTo) return;
    const forwarded = await forward(forwardTo, request.headers, event.rawBody, timeout);
    request.forward = forwarded;
    if (forwarded.status === undefined)
      throw new ForwardError(`could not forward to ${forwardTo}: ${forwarded.error}`);
    if (forwarded.status >= 300)
      throw new ForwardError(`${forwardTo} answered ${forwarded.status}: ${forwarded.body!.slice(0, 200)}`);
  });

  const server: Server = createServer((req, res) => {
    const started = performance.now();
    const request: RequestContext = { headers: req.headers, body: [] };
    const url = `http://${req.headers.host ?? `${host}:${port}`}${req.url ?? "/"}`;
    context
      .run(request, () => handleNodeRequest(receiver, keepingBody(req, request.body), { url }))
      .then(async (result) => {
        // A duplicate's handlers do not run; forwarded on request, it is answered after the app.
        if (forwardTo && options.forwardDuplicates && result.outcome === "duplicate") {
          request.forward = await forward(forwardTo, request.headers, Buffer.concat(request.body), timeout);
        }
        writeNodeResponse(res, result);
        const colour = result.status < 300 ? paint.green : paint.red;
        const what = result.error ? result.error.code : result.outcome;
        const app = request.forward
          ? request.forward.status === undefined
            ? `  → app ${paint.red(request.forward.error ?? "error")}`
            : `  → app ${(request.forward.status < 300 ? paint.green : paint.red)(String(request.forward.status))} ${paint.dim(formatMs(request.forward.ms))} ${request.forward.body!.slice(0, 200)}`
          : "";
        io.stdout.write(
          `${paint.dim(formatTime(new Date()))}  ${colour(`${result.status} ${what}`)}  ${request.type ?? "-"}  ${result.id ?? "-"}  ${paint.dim(formatMs(performance.now() - started))}${app}\n`,
        );
      })
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500).end();
        io.stderr.write(`hookgate: listen: ${(error as Error).message}\n`);
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new CliError(
          error.code === "EADDRINUSE" ? `port ${port} is in use; pick another with --port` : error.message,
        ),
      ),
    );
    server.listen(port, host, resolve);
  });
  const url = `http://${host}:${(server.address() as AddressInfo).port}/`;
  io.stdout.write(
    `hookgate listening on ${url} (${scheme.name}${options.journal ? `, journal ${options.journal.replace(/:[^:@/]*@/, ":***@")}` : ""})${forwardTo ? `, forwarding to ${forwardTo}${options.forwardDuplicates ? " (duplicates too)" : " (duplicates are answered here, not forwarded: --forward-duplicates)"}` : ""}\n`,
  );
  return {
    url,
    receiver,
    journal: opened.journal,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await opened.close();
    },
  };
}
