import { WebhookError } from "./errors.js";
import { decodeUtf8, fromBase64, fromHex, toBase64, toHex, utf8 } from "./internal/bytes.js";
import {
  type Chunk,
  type CryptoKeyMaterial,
  ed25519Sign,
  ed25519Verify,
  type HmacHash,
  hmac,
  SIGNATURE_BYTES,
  timingSafeEqual,
} from "./internal/crypto.js";
import { getFirstHeader } from "./internal/headers.js";
import { decodeSecrets, type KeyDecoder } from "./internal/secrets.js";
import type {
  Delivery,
  HandshakeReply,
  HeadersInput,
  MatchedSecret,
  RawBody,
  Scheme,
  SecretInput,
  SignInput,
  VerifyInput,
  VerifyOptions,
} from "./types.js";

/** Signature algorithm: an HMAC hash, or Ed25519. */
export type SignatureAlgorithm = HmacHash | "ed25519";

/** How signatures are laid out in their header. */
export type SignatureFormat =
  /** One signature per header value, optionally prefixed: `sha256=<hex>`, `v0=<hex>`, `<base64>`. */
  | { type: "plain"; prefix?: string }
  /** Space-separated `version,signature` entries (Standard Webhooks): `v1,<b64> v1,<b64>`. */
  | { type: "versioned"; version: string }
  /** `key=value` fields (Stripe `t=…,v1=…`, Paddle `ts=…;h1=…`); several signature fields may repeat. */
  | { type: "fields"; separator: "," | ";"; timestamp: string; signature: string };

/** Where one kind of signature is found and how it is computed. */
export interface SignatureSpec {
  header: string;
  /** Other names the sender may use for the same header (e.g. `svix-signature`). */
  aliases?: readonly string[];
  format: SignatureFormat;
  algorithm: SignatureAlgorithm;
  encoding: "hex" | "base64";
  /** Read only when none of the scheme's other signature headers is present (a legacy header). */
  fallback?: boolean;
}

/** Where the signed timestamp is found. */
export type TimestampSpec =
  | { header: string; aliases?: readonly string[]; unit: "s" | "ms" }
  /** In the signature header's timestamp field (`fields` format). */
  | { in: "signature"; unit: "s" | "ms" }
  /** In the JSON payload at a dot path; checked after the signature. */
  | { payload: string; unit: "s" | "ms" };

/** What a value-source function sees. */
export interface SourceContext {
  headers: HeadersInput;
  payload: unknown;
}

/**
 * Where the delivery id or event type is found: a header, a payload dot-path, or both with
 * the first present winning; `action` appends `.${payload.action}` (GitHub, Linear).
 */
export type ValueSource =
  | { header?: string; aliases?: readonly string[]; payload?: string; action?: string }
  | ((context: SourceContext) => string | undefined);

/** What a signed-content function sees. */
export interface ContentContext {
  id: string | undefined;
  timestamp: string | undefined;
  body: Uint8Array;
  url: string | undefined;
  method: string;
  contentType: string | undefined;
  /** True when producing a signature, false when checking one. */
  signing: boolean;
}

/**
 * A declarative description of a provider's signatures. One engine ({@link defineScheme})
 * verifies and signs from it, so a new provider is a description, never new crypto code.
 */
export interface SchemeDefinition {
  name: string;
  /** Every signature header the provider sends; a request verifies when any one matches. */
  signatures: readonly SignatureSpec[];
  timestamp?: TimestampSpec;
  /**
   * The signed content: a template over `{id}`, `{timestamp}`, `{body}`, `{url}` (e.g.
   * `"{timestamp}.{body}"`), or a function returning candidate contents as chunk lists.
   */
  content: string | ((context: ContentContext) => Promise<Chunk[][]> | Chunk[][]);
  /** How a configured secret string becomes key material. */
  key: KeyDecoder;
  id?: ValueSource;
  type?: ValueSource;
  /** Content types the provider sends. @default ["application/json"] */
  contentTypes?: readonly string[];
  /** Payload parser; the default parses JSON, or form fields for form-urlencoded bodies. */
  parse?: (text: string, contentType: string | undefined) => unknown;
  handshake?: (delivery: Delivery) => HandshakeReply | undefined;
  /** Extra headers the provider sends alongside the signature (e.g. Shopify's triggered-at). */
  signHeaders?: (input: { id: string; type: string | undefined; timestamp: Date }) => Record<string, string>;
  /** A sentence appended to signature-mismatch errors, given the configured secrets. */
  mismatchHint?: (secrets: readonly string[]) => string | undefined;
}

/** Secrets as {@link defineScheme} takes them, plus an optional separate signing key. */
export interface SchemeKeys {
  secret: SecretInput;
  /** Keys used only to sign (an Ed25519 private key where `secret` holds public keys). */
  signingKey?: SecretInput | undefined;
  signingKeyDecoder?: KeyDecoder | undefined;
  /** The option name to use in error messages. @default "secret" */
  optionName?: string | undefined;
}

interface Candidate {
  spec: SignatureSpec;
  text: string;
  bytes: Uint8Array | undefined;
}

const DEFAULT_TOLERANCE = 300;
const MAX_TIMESTAMP_DIGITS = 16;
const TEMPLATE_TOKEN = /\{(id|timestamp|body|url)\}/g;

function displayHeader(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, ch: string) => dash + ch.toUpperCase());
}

/** The body as bytes; refuses a parsed object with a message that names the usual cause. */
export function toRawBytes(rawBody: RawBody | unknown): Uint8Array {
  if (rawBody instanceof Uint8Array) return rawBody;
  if (typeof rawBody === "string") return utf8(rawBody);
  if (rawBody instanceof ArrayBuffer) return new Uint8Array(rawBody);
  const got =
    rawBody === null
      ? "null"
      : rawBody === undefined
        ? "undefined"
        : Array.isArray(rawBody)
          ? "an array"
          : `a ${typeof rawBody}`;
  throw new WebhookError(
    "raw_body_required",
    `hookgate: rawBody must be the exact bytes received (Uint8Array/Buffer or string), but got ${got}. ` +
      (typeof rawBody === "object" && rawBody !== null
        ? "A body parser (express.json(), koa-bodyparser, Next.js's API body parser…) already turned it into an object, and the exact bytes cannot be recovered; mount the webhook route before the parser, or pass the raw bytes (express.raw({ type: '*/*' }), `await request.arrayBuffer()`)."
        : "Read the request body as bytes before verifying it."),
  );
}

function splitTemplate(template: string): { parts: Array<"id" | "timestamp" | "body" | "url" | string> } {
  const parts: string[] = [];
  let last = 0;
  for (const match of template.matchAll(TEMPLATE_TOKEN)) {
    if (match.index > last) parts.push(`=${template.slice(last, match.index)}`);
    parts.push(match[1]!);
    last = match.index + match[0].length;
  }
  if (last < template.length) parts.push(`=${template.slice(last)}`);
  return { parts };
}

function compileTemplate(template: string): (context: ContentContext) => Chunk[][] {
  const { parts } = splitTemplate(template);
  // Fold everything around the body into one string before and one after, so Node hashes
  // at most three updates and never copies the body.
  return (context) => {
    const chunks: Chunk[] = [];
    let text = "";
    for (const part of parts) {
      if (part === "body") {
        if (text) chunks.push(text);
        chunks.push(context.body);
        text = "";
      } else if (part.startsWith("=")) text += part.slice(1);
      else {
        const value = context[part as "id" | "timestamp" | "url"];
        if (value === undefined) {
          throw new WebhookError(
            "missing_header",
            `hookgate: the signed content needs {${part}} but the request has none`,
          );
        }
        text += value;
      }
    }
    if (text) chunks.push(text);
    return [chunks];
  };
}

const pathCache = new Map<string, readonly string[]>();

function getPath(value: unknown, path: string): unknown {
  let keys = pathCache.get(path);
  if (!keys) pathCache.set(path, (keys = path.split(".")));
  let current = value;
  for (const key of keys) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
function readSource(source: ValueSource | undefined, context: SourceContext): string | undefined {
  if (!source) return undefined;
  if (typeof source === "function") return source(context);
  let base: unknown;
  if (source.header)
    base = getFirstHeader(context.headers, [source.header, ...(source.aliases ?? [])])
      ?.split(",")[0]
      ?.trim();
  if ((base === undefined || base === "") && source.payload) base = getPath(context.payload, source.payload);
  if (base === undefined || base === null || base === "") return undefined;
  const text = String(base);
  if (!source.action) return text;
  const action = getPath(context.payload, source.action);
  return typeof action === "string" && action ? `${text}.${action}` : text;
}

/** Parses JSON, or `application/x-www-form-urlencoded` fields (repeated fields become arrays). */
const FORM = /application\/x-www-form-urlencoded/i;

/** True for an `application/x-www-form-urlencoded` content type (any case, any parameters). */
export function isForm(contentType: string | undefined): boolean {
  return contentType !== undefined && FORM.test(contentType);
}

export function parsePayload(text: string, contentType: string | undefined): unknown {
  if (isForm(contentType)) return parseForm(text);
  if (text.length === 0)
    throw new WebhookError("invalid_payload", "hookgate: the body is empty; expected a JSON payload");
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new WebhookError("invalid_payload", "hookgate: the body is not valid JSON", { cause });
  }
}

/** Form fields as an object; a field sent more than once becomes an array. */
export function parseForm(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = out[key];
    out[key] =
      existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}

function parseTimestamp(raw: string, unit: "s" | "ms", where: string): number {
  if (!/^\d+$/.test(raw) || raw.length > MAX_TIMESTAMP_DIGITS) {
    throw new WebhookError(
      "malformed_timestamp",
      `hookgate: ${where} must be a whole number of ${unit === "s" ? "seconds" : "milliseconds"} since the epoch`,
    );
  }
  const ms = unit === "s" ? Number(raw) * 1000 : Number(raw);
  if (!Number.isSafeInteger(ms) || ms > 8.64e15)
    throw new WebhookError("malformed_timestamp", `hookgate: ${where} is out of range`);
  return ms;
}

function checkFreshness(ms: number, options: VerifyOptions | undefined): void {
  const tolerance = options?.tolerance ?? DEFAULT_TOLERANCE;
  if (tolerance === Number.POSITIVE_INFINITY) return;
  const now = options?.now ? options.now.getTime() : Date.now();
  const skew = (now - ms) / 1000;
  if (skew > tolerance) {
    throw new WebhookError(
      "timestamp_too_old",
      `hookgate: the signed timestamp is ${Math.round(skew)}s old, beyond the ${tolerance}s tolerance; a replay, or a delivery held too long (check the server clock)`,
    );
  }
  if (-skew > tolerance) {
    throw new WebhookError(
      "timestamp_in_future",
      `hookgate: the signed timestamp is ${Math.round(-skew)}s in the future, beyond the ${tolerance}s tolerance (check the server clock)`,
    );
  }
}

function decodeSignature(text: string, spec: SignatureSpec): Uint8Array | undefined {
  const bytes = spec.encoding === "hex" ? fromHex(text) : fromBase64(text);
  return bytes && bytes.length === SIGNATURE_BYTES[spec.algorithm] ? bytes : undefined;
}

function splitList(value: string, separator: string | RegExp): string[] {
  // The common case — one value, nothing to split or trim — allocates a single array.
  if (typeof separator === "string" && !value.includes(separator)) {
    const trimmed = value.trim();
    return trimmed ? [trimmed] : [];
  }
  const out: string[] = [];
  for (const piece of value.split(separator)) {
    const trimmed = piece.trim();
    if (trimmed) out.push(trimmed);
  }
  return out;
}

const CONTENT_TYPE = ["content-type"] as const;

/** Runs a step generator, feeding results back at once until one is a promise; then awaits. */
function drive<T>(steps: Generator<unknown, T, unknown>): T | Promise<T> {
  let step = steps.next();
  while (!step.done) {
    if (step.value instanceof Promise) return driveAsync(steps, step.value);
    step = steps.next(step.value);
  }
  return step.value;
}

async function driveAsync<T>(steps: Generator<unknown, T, unknown>, pending: Promise<unknown>): Promise<T> {
  let step = steps.next(await pending);
  while (!step.done) step = steps.next(await step.value);
  return step.value;
}
/**
 * Builds a {@link Scheme} from a declarative {@link SchemeDefinition} and secrets. Keys are
 * decoded here, once; `verify` and `sign` share every rule of the definition.
 *
 * @example
 * const acme = defineScheme({
 *   name: "acme",
 *   signatures: [{ header: "x-acme-signature", format: { type: "plain", prefix: "sha256=" }, algorithm: "sha256", encoding: "hex" }],
 *   timestamp: { header: "x-acme-timestamp", unit: "s" },
 *   content: "{timestamp}.{body}",
 *   key: utf8Key,
 * }, { secret: process.env.ACME_SECRET! });
 */
export function defineScheme(definition: SchemeDefinition, keys: SchemeKeys): Scheme {
  const { name } = definition;
  const secrets = decodeSecrets(keys.secret, name, definition.key, keys.optionName);
  const signingSecrets =
    keys.signingKey === undefined
      ? undefined
      : decodeSecrets(keys.signingKey, name, keys.signingKeyDecoder ?? definition.key, "signingKey");
  const rawSecrets = (Array.isArray(keys.secret) ? keys.secret : [keys.secret]).map((s) =>
    typeof s === "string" ? s : (s as { value: string }).value,
  );
  const content =
    typeof definition.content === "string" ? compileTemplate(definition.content) : definition.content;
  const parse = definition.parse ?? parsePayload;
  const contentTypes = definition.contentTypes ?? ["application/json"];
  const signatureHeaders = [...new Set(definition.signatures.map((s) => displayHeader(s.header)))].join(
    " / ",
  );

  // Specs that share a header (Standard Webhooks' v1 and v1a) read it once.
  const headerGroups = new Map<string, SignatureSpec[]>();
  for (const spec of definition.signatures) {
    const group = headerGroups.get(spec.header);
    if (group) group.push(spec);
    else headerGroups.set(spec.header, [spec]);
  }
  const allGroups = [...headerGroups.values()].map((specs) => ({
    names: [specs[0]!.header, ...(specs[0]!.aliases ?? [])],
    specs,
  }));
  const groups = allGroups.filter((g) => !g.specs[0]!.fallback);
  const fallbackGroups = allGroups.filter((g) => g.specs[0]!.fallback);
  const timestampLabel = `the ${name} timestamp`;
  const templateNeedsId = typeof definition.content === "string" && definition.content.includes("{id}");
  const idHeaderSource =
    definition.id && typeof definition.id !== "function" && definition.id.header
      ? [definition.id.header, ...(definition.id.aliases ?? [])]
      : undefined;

  interface CandidateRead {
    candidates: Candidate[];
    fieldTimestamp: string | undefined;
    seen: boolean;
  }

  function readCandidates(headers: HeadersInput): CandidateRead {
    const read: CandidateRead = { candidates: [], fieldTimestamp: undefined, seen: false };
    for (const group of groups) readGroup(headers, group, read);
    if (!read.seen) for (const group of fallbackGroups) readGroup(headers, group, read);
    return read;
  }

  function readGroup(
    headers: HeadersInput,
    { names, specs }: { names: readonly string[]; specs: readonly SignatureSpec[] },
    read: CandidateRead,
  ): void {
    const value = getFirstHeader(headers, names);
    if (value === undefined) return;
    read.seen = true;
    const { candidates } = read;
    for (const spec of specs) {
      const { format } = spec;
      if (format.type === "plain") {
        // A proxy may join a repeated header with ", ": every piece is a candidate.
        for (const piece of splitList(value, ",")) {
          if (format.prefix && !piece.startsWith(format.prefix)) continue;
          const text = format.prefix ? piece.slice(format.prefix.length) : piece;
          candidates.push({ spec, text, bytes: decodeSignature(text, spec) });
        }
      } else if (format.type === "versioned") {
        const prefix = `${format.version},`;
        for (const piece of splitList(value, " ")) {
          if (!piece.startsWith(prefix)) continue;
          const text = piece.endsWith(",") ? piece.slice(prefix.length, -1) : piece.slice(prefix.length);
          candidates.push({ spec, text, bytes: decodeSignature(text, spec) });
        }
      } else {
        // A proxy joining a repeated header adds "," — which only Paddle's ";" layout needs splitting on too.
        const separator = format.separator === ";" && value.includes(",") ? /[;,]/ : format.separator;
        for (const field of splitList(value, separator)) {
          const eq = field.indexOf("=");
          if (eq < 0) continue;
          const key = field.slice(0, eq).trim();
          const text = field.slice(eq + 1).trim();
          if (key === format.timestamp) {
            if (read.fieldTimestamp !== undefined && read.fieldTimestamp !== text) {
              throw new WebhookError(
                "malformed_timestamp",
                `hookgate: ${displayHeader(spec.header)} carries two different timestamps`,
              );
            }
            read.fieldTimestamp = text;
          } else if (key === format.signature) {
            candidates.push({ spec, text, bytes: decodeSignature(text, spec) });
          }
        }
      }
    }
  }

  function readHeaderTimestamp(
    headers: HeadersInput,
    spec: { header: string; aliases?: readonly string[] },
  ): string {
    const value = getFirstHeader(headers, spec.aliases ? [spec.header, ...spec.aliases] : [spec.header]);
    if (value === undefined) {
      throw new WebhookError(
        "missing_header",
        `hookgate: the ${displayHeader(spec.header)} header is missing`,
      );
    }
    const pieces = splitList(value, ",");
    if (pieces.length === 0) {
      throw new WebhookError(
        "malformed_timestamp",
        `hookgate: the ${displayHeader(spec.header)} header is empty`,
      );
    }
    if (pieces.some((p) => p !== pieces[0])) {
      throw new WebhookError(
        "malformed_timestamp",
        `hookgate: the ${displayHeader(spec.header)} header was sent twice with different values`,
      );
    }
    return pieces[0]!;
  }

  /**
   * The whole check as one generator: every crypto result and async content is yielded,
   * so {@link drive} runs it synchronously where node:crypto answers at once and awaits
   * only on Web Crypto — one code path, no promise per step on Node.
   */
  function* verifySteps(
    input: VerifyInput,
    options: VerifyOptions | undefined,
  ): Generator<unknown, Delivery, unknown> {
    const body = toRawBytes(input.rawBody);
    const { headers } = input;
    const { candidates, fieldTimestamp, seen } = readCandidates(headers);
    if (!seen) {
      throw new WebhookError(
        "missing_signature",
        `hookgate: no ${signatureHeaders} header; this request was not signed by ${name} (or a proxy dropped the header)`,
      );
    }

    let timestampRaw: string | undefined;
    let timestampMs: number | undefined;
    const tsSpec = definition.timestamp;
    if (tsSpec && !("payload" in tsSpec)) {
      if ("header" in tsSpec) timestampRaw = readHeaderTimestamp(headers, tsSpec);
      else if (fieldTimestamp === undefined) {
        throw new WebhookError(
          "malformed_signature",
          `hookgate: the ${signatureHeaders} header has no timestamp field`,
        );
      } else timestampRaw = fieldTimestamp;
      timestampMs = parseTimestamp(timestampRaw, tsSpec.unit, timestampLabel);
      // Cheap check first: a stale request costs no hashing.
      checkFreshness(timestampMs, options);
    }

    let usable = 0;
    for (const candidate of candidates) if (candidate.bytes) usable++;
    if (usable === 0) {
      throw new WebhookError(
        "malformed_signature",
        candidates.length === 0
          ? `hookgate: the ${signatureHeaders} header has no signature in the format ${name} uses`
          : `hookgate: the ${signatureHeaders} signature is not ${candidates[0]!.spec.encoding} of the right length for ${candidates[0]!.spec.algorithm}`,
      );
    }

    const contentType = getFirstHeader(headers, CONTENT_TYPE);
    const contents = (yield content({
      id: templateNeedsId && idHeaderSource ? getFirstHeader(headers, idHeaderSource) : undefined,
      timestamp: timestampRaw,
      body,
      url: input.url,
      method: input.method ?? "POST",
      contentType,
      signing: false,
    })) as Chunk[][];

    let matched: MatchedSecret | undefined;
    search: for (const secret of secrets) {
      const { key } = secret;
      for (const chunks of contents) {
        let digest: Uint8Array | undefined;
        let digestAlgorithm: SignatureAlgorithm | undefined;
        for (const candidate of candidates) {
          if (!candidate.bytes) continue;
          const { algorithm } = candidate.spec;
          let ok = false;
          if (algorithm === "ed25519") {
            if (key.kind === "ed25519") ok = (yield ed25519Verify(key, chunks, candidate.bytes)) as boolean;
          } else if (key.kind === "hmac") {
            if (digestAlgorithm !== algorithm) {
              digest = (yield hmac(algorithm, key, chunks)) as Uint8Array;
              digestAlgorithm = algorithm;
            }
            ok = timingSafeEqual(digest!, candidate.bytes);
          }
          if (ok) {
            matched =
              secret.id === undefined ? { index: secret.index } : { index: secret.index, id: secret.id };
            break search;
          }
        }
      }
    }
    if (!matched) {
      const hints = [
        typeof input.rawBody === "string"
          ? "The body was given as a string: if it was re-serialized from parsed JSON its bytes differ from what was signed; pass the raw bytes."
          : undefined,
        definition.mismatchHint?.(rawSecrets),
      ].filter(Boolean);
      throw new WebhookError(
        "signature_mismatch",
        `hookgate: no configured ${name} secret produces the ${signatureHeaders} signature (wrong secret, or the body was altered)${hints.length ? `. ${hints.join(" ")}` : ""}`,
      );
    }

    const text = decodeUtf8(body);
    if (text === undefined)
      throw new WebhookError("invalid_payload", "hookgate: the body is not valid UTF-8");
    const payload = parse(text, contentType);
    if (tsSpec && "payload" in tsSpec) {
      const value = getPath(payload, tsSpec.payload);
      if (value === undefined) {
        throw new WebhookError(
          "missing_header",
          `hookgate: the ${name} payload has no ${tsSpec.payload} timestamp`,
        );
      }
      timestampMs = parseTimestamp(String(value), tsSpec.unit, `the ${name} payload's ${tsSpec.payload}`);
      checkFreshness(timestampMs, options);
    }

    const sourceContext: SourceContext = { headers, payload };
    const id = readSource(definition.id, sourceContext) ?? candidates.find((c) => c.bytes)!.text;
    const type = readSource(definition.type, sourceContext) ?? "";
    const delivery: Delivery = { id, type, payload, rawBody: body, scheme: name, matchedSecret: matched };
    if (timestampMs !== undefined) delivery.timestamp = new Date(timestampMs);
    return delivery;
  }

  function verify(input: VerifyInput, options?: VerifyOptions): Promise<Delivery> {
    try {
      const result = drive(verifySteps(input, options));
      return result instanceof Promise ? result : Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async function sign(input: SignInput): Promise<Record<string, string>> {
    const body = toRawBytes(input.rawBody);
    const id = input.id ?? globalThis.crypto.randomUUID();
    const at = input.timestamp ?? new Date();
    const tsSpec = definition.timestamp;
    const timestamp =
      tsSpec && !("payload" in tsSpec)
        ? String(tsSpec.unit === "s" ? Math.floor(at.getTime() / 1000) : at.getTime())
        : undefined;
    const text = decodeUtf8(body) ?? "";
    const looksJson = /^\s*[[{]/.test(text);
    const contentType =
      input.contentType ??
      (looksJson && contentTypes.includes("application/json")
        ? "application/json"
        : !looksJson && contentTypes.includes("application/x-www-form-urlencoded")
          ? "application/x-www-form-urlencoded"
          : contentTypes[0]!);
    const [chunks] = await content({
      id,
      timestamp,
      body,
      url: input.url,
      method: "POST",
      contentType,
      signing: true,
    });
    const key = (signingSecrets ?? secrets)[0]!.key;

    const headers: Record<string, string> = { "content-type": contentType };
    const fields = new Map<string, string[]>();
    for (const spec of definition.signatures) {
      const signature = await signWith(spec, key, chunks!);
      if (signature === undefined) continue;
      const encoded = spec.encoding === "hex" ? toHex(signature) : toBase64(signature);
      const { format } = spec;
      const existing = headers[spec.header];
      if (format.type === "plain") headers[spec.header] = `${format.prefix ?? ""}${encoded}`;
      else if (format.type === "versioned") {
        headers[spec.header] = existing
          ? `${existing} ${format.version},${encoded}`
          : `${format.version},${encoded}`;
      } else {
        const list = fields.get(spec.header) ?? [`${format.timestamp}=${timestamp}`];
        list.push(`${format.signature}=${encoded}`);
        fields.set(spec.header, list);
        headers[spec.header] = list.join(format.separator);
      }
    }
    if (!definition.signatures.some((s) => headers[s.header])) {
      throw new WebhookError(
        "invalid_secret",
        `hookgate: the ${name} scheme has no key that can sign (an Ed25519 public key verifies only; pass the private key to sign)`,
      );
    }
    if (tsSpec && "header" in tsSpec && timestamp !== undefined) headers[tsSpec.header] = timestamp;
    for (const [source, value] of [
      [definition.id, id],
      [definition.type, input.type?.split(".")[0]],
    ] as const) {
      if (source && typeof source !== "function" && source.header && value !== undefined)
        headers[source.header] = value;
    }
    Object.assign(headers, definition.signHeaders?.({ id, type: input.type, timestamp: at }));
    return headers;
  }

  const scheme: Scheme = { name, contentTypes, verify, sign };
  if (definition.handshake) scheme.handshake = definition.handshake;
  return scheme;
}

async function signWith(
  spec: SignatureSpec,
  key: CryptoKeyMaterial,
  chunks: Chunk[],
): Promise<Uint8Array | undefined> {
  if (spec.algorithm === "ed25519")
    return key.kind === "ed25519" && key.seed ? ed25519Sign(key, chunks) : undefined;
  return key.kind === "hmac" ? hmac(spec.algorithm, key, chunks) : undefined;
}
