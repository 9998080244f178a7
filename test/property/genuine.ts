import { randomBytes } from "node:crypto";
import {
  type HandleInput,
  type HeadersInput,
  type IdempotencyStore,
  memoryStore,
  type Scheme,
  schemeForSecret,
  schemeNames,
  schemeNeedsOptions,
  schemes,
} from "@hookgate/core";
import { ed25519KeyPair, fixtureCatalog, signedFixture } from "@hookgate/testing";
import fc from "fast-check";
import { generateEcdsaP256 } from "../../packages/core/src/internal/crypto.js";

/**
 * One genuine captured delivery per scheme in the registry (plus a configured `hmac`), the
 * secrets involved, and the arbitraries that mutate it the way a hostile sender would.
 */
export interface Genuine {
  name: string;
  scheme: Scheme;
  /** A scheme that verifies with the configured secret but signs with a wrong one. */
  forger: Scheme;
  /** Strings that must never appear in an answer: the configured secret and its key forms. */
  secrets: string[];
  headers: Record<string, string>;
  body: Uint8Array;
  url: string;
  type: string | undefined;
  /** When the genuine delivery was signed; the receiver's clock. */
  signedAt: Date;
}

const enc = new TextEncoder();

function secretFor(name: string): string {
  const random = randomBytes(24);
  if (name === "standard-webhooks") return `whsec_${random.toString("base64")}`;
  if (name === "stripe") return `whsec_${random.toString("hex")}`;
  return `${name}_secret_${random.toString("hex")}`;
}

/**
 * A fresh secret in the form the scheme takes: a plain string where the scheme keys on it,
 * else a Standard Webhooks `whsec_` key, else an ECDSA P-256 private key (SendGrid).
 */
export async function workingSecret(name: string): Promise<string> {
  const candidates = [
    () => secretFor(name),
    () => `whsec_${randomBytes(24).toString("base64")}`,
    async () => (await generateEcdsaP256()).privateKey,
  ];
  for (const candidate of candidates) {
    const secret = await candidate();
    try {
      await schemeForSecret(name, secret).sign!({ rawBody: "{}", url: "https://hooks.example.com/x" });
      return secret;
    } catch (error) {
      // Only a key the scheme cannot use rules a form out (Twilio, say, wants a bodySHA256 URL).
      if ((error as { code?: string }).code !== "invalid_secret") return secret;
    }
  }
  throw new Error(`no secret form found for ${name}`);
}

/** Every scheme `schemeForSecret` builds from a secret alone, plus `schemes.hmac` with a timestamp header. */
export async function genuineDeliveries(signedAt: Date): Promise<Genuine[]> {
  const out: Genuine[] = [];
  const make = async (name: string, scheme: Scheme, forger: Scheme, secrets: string[]) => {
    const entry = fixtureCatalog.find(
      (fixture) => fixture.scheme === name && !/url_verification|ping/i.test(fixture.name),
    );
    const payload = entry ? entry.create() : { id: "evt_prop", type: "thing.happened", n: 1 };
    const url = `https://hooks.example.com/in/${name}?tenant=t1`;
    const fixture = await signedFixture(scheme, payload, { url, timestamp: signedAt });
    out.push({
      name,
      scheme,
      forger,
      secrets,
      headers: fixture.headers,
      body: enc.encode(fixture.body),
      url,
      type: entry?.type ?? "thing.happened",
      signedAt,
    });
  };
  for (const name of schemeNames) {
    // Configured by more than a secret: hmac is added below; aws-sns signs a JSON envelope whose
    // layout is not signed byte for byte (its own suite covers it: schemes/aws-sns.test.ts).
    if (schemeNeedsOptions(name).length > 0) continue;
    if (name === "discord") {
      const [configured, wrong] = [await ed25519KeyPair(), await ed25519KeyPair()];
      const scheme = schemeForSecret(name, configured.privateKey);
      await make(name, scheme, scheme.withSigningKey(wrong.privateKey), [configured.privateKey]);
      continue;
    }
    const secret = await workingSecret(name);
    const scheme = schemeForSecret(name, secret);
    const secrets = [secret];
    if (secret.startsWith("whsec_")) secrets.push(secret.slice("whsec_".length));
    await make(name, scheme, scheme.withSigningKey(await workingSecret(name)), secrets);
  }
  const hmacSecret = secretFor("hmac");
  const hmac = schemes.hmac({
    secret: hmacSecret,
    header: "x-acme-signature",
    prefix: "sha256=",
    timestampHeader: "x-acme-timestamp",
    id: "x-acme-delivery",
  });
  await make("hmac", hmac, hmac.withSigningKey(secretFor("hmac")), [hmacSecret]);
  return out;
}

/** A store that counts calls, over a memoryStore. */
export interface SpyStore extends IdempotencyStore {
  calls: number;
}

export function spyStore(): SpyStore {
  const inner = memoryStore({ maxKeys: 1000 });
  const spy: SpyStore = {
    calls: 0,
    claim(key, options) {
      spy.calls++;
      return inner.claim(key, options);
    },
    extend(key, token, options) {
      spy.calls++;
      return inner.extend(key, token, options);
    },
    complete(key, token, options) {
      spy.calls++;
      return inner.complete(key, token, options);
    },
    release(key, token) {
      spy.calls++;
      return inner.release(key, token);
    },
    bind(key, value, options) {
      spy.calls++;
      return inner.bind(key, value, options);
    },
  };
  return spy;
}

// ---- arbitraries ---------------------------------------------------------------------------

const ascii = fc.string({ maxLength: 24 });
const nonAscii = fc.string({ unit: "grapheme", maxLength: 12 });
const base64ish = fc
  .uint8Array({ minLength: 16, maxLength: 64 })
  .map((b) => Buffer.from(b).toString("base64"));
const hexish = fc.uint8Array({ minLength: 16, maxLength: 32 }).map((b) => Buffer.from(b).toString("hex"));
/** Header values a sender can send: text, non-ASCII, numbers, empty, signature-shaped strings. */
export const headerValue = fc.oneof(
  ascii,
  nonAscii,
  fc.integer().map(String),
  fc.double().map(String),
  fc.constant(""),
  base64ish,
  hexish,
  hexish.map((h) => `sha256=${h}`),
  base64ish.map((b) => `v1,${b}`),
);
const headerName = fc.oneof(
  fc.constantFrom(
    "content-type",
    "content-length",
    "host",
    "x-forwarded-for",
    "webhook-id",
    "x-github-event",
  ),
  fc.string({
    minLength: 1,
    maxLength: 16,
    unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz-_0123456789"),
  }),
);
const bodyBytes = fc.uint8Array({ maxLength: 48 });

/** One edit of a genuine request. `at` picks a header by index (modulo the count). */
export type Edit =
  | { kind: "drop"; at: number }
  | { kind: "set"; at: number; value: string }
  | { kind: "duplicate"; at: number }
  | { kind: "join"; at: number; value: string; before: boolean }
  | { kind: "case"; at: number; upper: boolean }
  | { kind: "add"; name: string; value: string }
  | { kind: "huge"; at: number; size: number }
  | { kind: "upper"; at: number }
  | { kind: "timestamp"; value: string }
  | { kind: "flip"; at: number; bit: number }
  | { kind: "append"; bytes: Uint8Array }
  | { kind: "truncate"; keep: number }
  | { kind: "bytes"; bytes: Uint8Array }
  | { kind: "url"; url: string }
  | { kind: "method"; method: string }
  | { kind: "webHeaders" };

const at = fc.nat({ max: 31 });
const timestampValue = fc.oneof(
  fc.integer({ min: -1e12, max: 1e13 }).map(String),
  fc.integer({ min: 0, max: 4e9 }).map(String),
  fc.double().map(String),
  ascii,
  fc.constantFrom("0", "-1", "1e3", " 1700000000", "0x10", "9".repeat(40), ""),
);

export const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({ kind: fc.constant("drop" as const), at }),
  fc.record({ kind: fc.constant("set" as const), at, value: headerValue }),
  fc.record({ kind: fc.constant("duplicate" as const), at }),
  fc.record({ kind: fc.constant("join" as const), at, value: headerValue, before: fc.boolean() }),
  fc.record({ kind: fc.constant("case" as const), at, upper: fc.boolean() }),
  fc.record({ kind: fc.constant("add" as const), name: headerName, value: headerValue }),
  fc.record({ kind: fc.constant("huge" as const), at, size: fc.constantFrom(300, 5_000, 40_000) }),
  fc.record({ kind: fc.constant("upper" as const), at }),
  fc.record({ kind: fc.constant("timestamp" as const), value: timestampValue }),
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat({ max: 7 }) }),
  fc.record({ kind: fc.constant("append" as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant("truncate" as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant("bytes" as const), bytes: bodyBytes }),
  fc.record({
    kind: fc.constant("url" as const),
    // What a client controls of the URL an adapter builds: the Host header and the path.
    url: fc.oneof(
      fc.webUrl(),
      fc.tuple(ascii, ascii).map(([host, path]) => `https://${host}/${path}`),
      fc.constantFrom("https://a b/", "http://[::1/x", "http://x:99999/", "http://%/"),
    ),
  }),
  fc.record({
    kind: fc.constant("method" as const),
    method: fc.constantFrom("GET", "PUT", "post", "OPTIONS", ""),
  }),
  fc.record({ kind: fc.constant("webHeaders" as const) }),
);

/** A request a hostile sender builds. */
export interface Hostile {
  scheme: number;
  /** edits of the genuine delivery; or a fully arbitrary request; or one signed with a wrong secret. */
  origin: "genuine" | "random" | "forged";
  edits: Edit[];
  randomHeaders: Record<string, string>;
  body: Uint8Array;
}

export function hostileRequest(count: number): fc.Arbitrary<Hostile> {
  return fc.record({
    scheme: fc.nat({ max: count - 1 }),
    origin: fc.constantFrom("genuine", "genuine", "genuine", "random", "forged"),
    edits: fc.array(edit, { maxLength: 4 }),
    randomHeaders: fc.dictionary(headerName, headerValue, { maxKeys: 6 }),
    body: bodyBytes,
  });
}

const TIMESTAMP_HEADER = /timestamp/i;
const FIELD_TIMESTAMP = /\b(t|ts)=\d+/;

/** Builds the request: the genuine one (or a forgery / an arbitrary one) with the edits applied. */
export async function build(
  genuine: Genuine,
  hostile: Hostile,
): Promise<{ input: HandleInput & { rawBody: Uint8Array }; untouched: boolean }> {
  let body = genuine.body;
  let headers: [string, string | string[]][] = Object.entries(genuine.headers);
  if (hostile.origin === "random") {
    // The scheme's own header names (content type kept), each with an arbitrary value, plus others.
    // With no arbitrary values drawn, "x": never the genuine value (a token scheme would accept
    // its genuine token over any body, by design).
    const values = Object.values(hostile.randomHeaders);
    headers = headers.map(([name, value], i) =>
      name === "content-type"
        ? [name, value]
        : [name, values.length === 0 ? "x" : values[i % values.length]!],
    );
    headers.push(...Object.entries(hostile.randomHeaders));
    body = hostile.body;
  } else if (hostile.origin === "forged") {
    body = hostile.body.length > 0 ? hostile.body : genuine.body;
    const forging = genuine.forger.signRequest({
      rawBody: body,
      url: genuine.url,
      timestamp: genuine.signedAt,
      type: genuine.type,
      contentType: genuine.headers["content-type"],
    });
    // A scheme that signs inside the body (Mailgun) cannot write into a body that is not its
    // format: that forgery is the arbitrary body under the genuine headers.
    const signed = await (genuine.scheme.facts.signatureHeaders.length > 0
      ? forging
      : forging.catch(() => ({ headers: genuine.headers, rawBody: body })));
    headers = Object.entries(signed.headers);
    body = signed.rawBody;
  }
  let url = genuine.url;
  let method = "POST";
  let asWebHeaders = false;
  const pick = (i: number) => (headers.length === 0 ? -1 : i % headers.length);
  for (const e of hostile.edits) {
    const i = "at" in e && e.kind !== "flip" ? pick(e.at) : -1;
    const first = (v: string | string[]) => (Array.isArray(v) ? (v[0] ?? "") : v);
    switch (e.kind) {
      case "drop":
        if (i >= 0) headers.splice(i, 1);
        break;
      case "set":
        if (i >= 0) headers[i] = [headers[i]![0], e.value];
        break;
      case "duplicate":
        if (i >= 0) headers[i] = [headers[i]![0], [first(headers[i]![1]), first(headers[i]![1])]];
        break;
      case "join":
        if (i >= 0) {
          const v = first(headers[i]![1]);
          headers[i] = [headers[i]![0], e.before ? `${e.value}, ${v}` : `${v},${e.value}`];
        }
        break;
      case "case":
        if (i >= 0) {
          const name = headers[i]![0];
          headers[i] = [
            e.upper ? name.toUpperCase() : name.replace(/(^|-)([a-z])/g, (m) => m.toUpperCase()),
            headers[i]![1],
          ];
        }
        break;
      case "add":
        headers.push([e.name, e.value]);
        break;
      case "huge":
        if (i >= 0) headers[i] = [headers[i]![0], first(headers[i]![1]).padEnd(e.size, "A")];
        break;
      case "upper":
        if (i >= 0) headers[i] = [headers[i]![0], first(headers[i]![1]).toUpperCase()];
        break;
      case "timestamp":
        headers = headers.map(([name, value]) => {
          if (TIMESTAMP_HEADER.test(name)) return [name, e.value];
          const v = first(value);
          return FIELD_TIMESTAMP.test(v)
            ? [name, v.replace(FIELD_TIMESTAMP, (m) => `${m.split("=")[0]}=${e.value}`)]
            : [name, value];
        });
        break;
      case "flip":
        if (body.length > 0) {
          body = body.slice();
          body[e.at % body.length]! ^= 1 << e.bit;
        }
        break;
      case "append":
        body = Uint8Array.from([...body, ...e.bytes]);
        break;
      case "truncate":
        body = body.slice(0, body.length === 0 ? 0 : e.keep % body.length);
        break;
      case "bytes":
        body = e.bytes;
        break;
      case "url":
        url = e.url;
        break;
      case "method":
        method = e.method;
        break;
      case "webHeaders":
        asWebHeaders = true;
        break;
    }
  }
  let headerInput: HeadersInput = Object.fromEntries(headers);
  if (asWebHeaders) {
    try {
      const web = new Headers();
      for (const [name, value] of headers) for (const v of [value].flat()) web.append(name, v);
      headerInput = web;
    } catch {
      // Not a value a Web Headers object can hold (so not one an HTTP server delivers): keep the record.
    }
  }
  const untouched = hostile.origin === "genuine" && hostile.edits.length === 0;
  return { input: { method, url, headers: headerInput, rawBody: body }, untouched };
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Signature-looking tokens (≥ 20 characters) in signature header values. */
export function signatureTokens(headers: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!/signature|hmac/i.test(name) || /timestamp/i.test(name)) continue;
    for (const piece of value.split(/[\s,;=]+/)) if (piece.length >= 20) out.push(piece);
  }
  return out;
}
