import { WebhookError } from "../errors.js";
import { concatBytes, utf8 } from "./bytes.js";
import { whilePending } from "./while-pending.js";

/**
 * A body as adapters hand it over: bytes already read, a stream still to read, or a reader of a
 * body whose length the request declared (`() => request.arrayBuffer()`): called only once the
 * declared length passed `maxBodyBytes`, the fastest read a framework offers.
 */
export type BodySource =
  | Uint8Array
  | string
  | ArrayBuffer
  | AsyncIterable<Uint8Array | string>
  | ReadableStream<Uint8Array>
  | DeclaredBodyReader;

/**
 * Reads a body whose length the request declared; `consumedBy` names what would have read it
 * first, for the set-up error when the read finds the body already used. A reader that sees the
 * chunks as they arrive hands each to `onChunk` (a reader that does not: the body is fed whole).
 */
export type DeclaredBodyReader = ((
  onChunk?: (chunk: Uint8Array) => void,
) => Promise<ArrayBuffer | Uint8Array>) & {
  consumedBy?: string;
};

/** Takes each chunk of a body as it is read and accepted within `maxBodyBytes` (streaming verification). */
export type ChunkSink = (chunk: Uint8Array) => void;

// The rest of the body is not read: the connection cannot be reused for another request.
const CLOSE = { connection: "close" };

function tooLarge(maxBodyBytes: number): WebhookError {
  return new WebhookError(
    "body_too_large",
    `hookgate: the body is larger than maxBodyBytes (${maxBodyBytes} bytes)`,
    {
      headers: CLOSE,
    },
  );
}

/** The set-up error for a body that was read (and usually parsed) before hookgate saw it. */
export function bodyConsumed(by: string): WebhookError {
  return new WebhookError(
    "raw_body_required",
    `hookgate: the request body was already read by ${by}, so the exact bytes the sender signed are gone. Let hookgate read the body first: mount the webhook route before any body parser, or turn the parser off for it (or keep the bytes: express.json({ verify: (req, _res, buf) => { req.rawBody = buf } }))`,
  );
}

function bodyTimeout(timeoutMs: number): WebhookError {
  return new WebhookError(
    "body_timeout",
    `hookgate: the body did not arrive within bodyTimeoutMs (${timeoutMs} ms)`,
    {
      headers: CLOSE,
    },
  );
}

/**
 * Reads a body to bytes, stopping as soon as it passes `maxBodyBytes` (so an oversized body is
 * neither buffered nor hashed) or `timeoutMs` passes (a slow or endless body: 408). Reads Node
 * streams (any async iterable) and Web streams, so every adapter shares one reader and one rule.
 * `onChunk` is given every byte accepted, in order, as it is read; never one past `maxBodyBytes`.
 */
export function readBody(
  source: BodySource | unknown,
  maxBodyBytes: number,
  timeoutMs = Number.POSITIVE_INFINITY,
  onChunk?: ChunkSink,
): Promise<Uint8Array | unknown> {
  // Not an async function: a declared-length read's promise is returned as it is, not adopted
  // by another one two turns later.
  try {
    const read = readBytes(source, maxBodyBytes, onChunk);
    if (read) return Promise.resolve(read);
    if (source === null || source === undefined) return Promise.resolve(new Uint8Array(0));
    if (typeof source === "function")
      return readDeclared(source as DeclaredBodyReader, maxBodyBytes, timeoutMs, onChunk);
  } catch (error) {
    return Promise.reject(error);
  }
  return readStream(source, maxBodyBytes, timeoutMs, onChunk);
}

/** A stream (Node's or the Web's), chunk by chunk within the bounds; anything else as it is. */
async function readStream(
  source: unknown,
  maxBodyBytes: number,
  timeoutMs: number,
  onChunk: ChunkSink | undefined,
): Promise<Uint8Array | unknown> {
  const iterator = toIterator(source);
  // Anything else (a parsed object) goes on to verification, which explains the mistake.
  if (!iterator) return source;

  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline =
    timeoutMs === Number.POSITIVE_INFINITY
      ? undefined
      : new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(bodyTimeout(timeoutMs)), timeoutMs);
        });
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const step = await (deadline ? Promise.race([iterator.next(), deadline]) : iterator.next());
      if (step.done) break;
      const bytes = typeof step.value === "string" ? utf8(step.value) : step.value;
      size += bytes.byteLength;
      if (size > maxBodyBytes) throw tooLarge(maxBodyBytes);
      onChunk?.(bytes);
      chunks.push(bytes);
    }
  } catch (error) {
    // Stop the sender's stream: an oversized or endless body is not read any further.
    // A Node stream's iterator waits for a pending read before it returns; the server closes the
    // connection after the answer (`Connection: close`), which ends that read.
    iterator.return?.().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return chunks.length === 1 ? chunks[0]! : concatBytes(chunks);
}

/**
 * A body already in memory (bytes, text, an `ArrayBuffer`) as bytes, at once — `readBody`'s rule
 * without its promise; throws `body_too_large` past `maxBodyBytes`. Undefined for any other source.
 */
export function readBytes(
  source: BodySource | unknown,
  maxBodyBytes: number,
  onChunk?: ChunkSink,
): Uint8Array | undefined {
  if (source instanceof Uint8Array || typeof source === "string" || source instanceof ArrayBuffer) {
    const bytes =
      typeof source === "string"
        ? utf8(source)
        : source instanceof ArrayBuffer
          ? new Uint8Array(source)
          : source;
    if (bytes.byteLength > maxBodyBytes) throw tooLarge(maxBodyBytes);
    onChunk?.(bytes);
    return bytes;
  }
  return undefined;
}

/** A declared-length body read whole by the framework, within the same size and time bounds. */
function readDeclared(
  read: DeclaredBodyReader,
  maxBodyBytes: number,
  timeoutMs: number,
  onChunk: ChunkSink | undefined,
): Promise<Uint8Array> {
  // The declared length was checked, but a reader is not trusted to stop at it: nothing past
  // `maxBodyBytes` is fed.
  let fed = 0;
  const feed =
    onChunk &&
    ((chunk: Uint8Array) => {
      fed += chunk.byteLength;
      if (fed <= maxBodyBytes) onChunk(chunk);
    });
  const whole = (body: ArrayBuffer | Uint8Array): Uint8Array => {
    const bytes = body instanceof Uint8Array ? body : new Uint8Array(body);
    if (bytes.byteLength > maxBodyBytes) throw tooLarge(maxBodyBytes);
    // A reader that read it whole (`request.arrayBuffer()`): fed whole, at once.
    if (onChunk && fed === 0 && bytes.byteLength > 0) onChunk(bytes);
    return bytes;
  };
  // A Web body read twice rejects with a TypeError ("Body is unusable"): it was consumed first.
  const failure = (error: unknown): unknown =>
    error instanceof TypeError ? bodyConsumed(read.consumedBy ?? "code that ran before hookgate") : error;
  const reading = read(feed);
  if (timeoutMs === Number.POSITIVE_INFINITY)
    return reading.then(whole, (error: unknown) => {
      throw failure(error);
    });
  return new Promise<Uint8Array>((resolve, reject) => {
    reading.then(
      (body) => {
        try {
          resolve(whole(body));
        } catch (error) {
          reject(error);
        }
      },
      (error: unknown) => reject(failure(error)),
    );
    // A small body has usually arrived with its headers: only a read still going costs a timer.
    whilePending(
      reading,
      () => {
        const timer = setTimeout(() => reject(bodyTimeout(timeoutMs)), timeoutMs);
        return () => clearTimeout(timer);
      },
      3,
    );
  });
}

type Chunks = AsyncIterator<Uint8Array | string, unknown, undefined>;

function toIterator(source: unknown): Chunks | undefined {
  // A Web stream first (Node's also have Symbol.asyncIterator): its reader can be cancelled even
  // while a read is pending, which an async iterator's return() cannot do.
  if (typeof (source as ReadableStream).getReader === "function") {
    const reader = (source as ReadableStream<Uint8Array>).getReader();
    return {
      next: () => reader.read() as Promise<IteratorResult<Uint8Array>>,
      return() {
        reader.cancel().catch(() => {});
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }
  if (typeof (source as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function") {
    return (source as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  }
  return undefined;
}
