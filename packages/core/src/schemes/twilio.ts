import { WebhookError } from "../errors.js";
import { fromHex, toText } from "../internal/bytes.js";
import { type Chunk, sha256, timingSafeEqual } from "../internal/crypto.js";
import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { ContentContext } from "../scheme/definition.js";
import { formFields, isForm, parseForm, parseJson } from "../scheme/payload.js";
import type { HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link twilio}. */
export interface TwilioSchemeOptions {
  /** The account's auth token, or several during rotation. */
  secret: SecretInput;
}

function paramString(body: string): string {
  const params = new Map<string, Set<string>>();
  for (const [key, value] of formFields(body)) {
    let values = params.get(key);
    if (!values) params.set(key, (values = new Set()));
    values.add(value);
  }
  // Keys sorted by UTF-16 code units; a repeated key's distinct values sorted too — as twilio-node does.
  let out = "";
  for (const key of [...params.keys()].sort()) {
    for (const value of [...params.get(key)!].sort()) out += key + value;
  }
  return out;
}

const AUTHORITY = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is;

/**
 * The URL with its port set to the scheme's default, and removed — by editing the string, so the
 * rest stays byte-for-byte as Twilio signed it (WHATWG URL would re-encode characters like `'`).
 */
function portVariants(url: string): string[] {
  const match = AUTHORITY.exec(url);
  if (!match) return [url];
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string];
  const at = authority.lastIndexOf("@");
  const userinfo = authority.slice(0, at + 1);
  const hostPort = authority.slice(at + 1);
  const port = /:(\d*)$/.exec(hostPort.startsWith("[") ? hostPort.slice(hostPort.indexOf("]")) : hostPort);
  const host = port ? hostPort.slice(0, hostPort.length - port[0].length) : hostPort;
  const defaultPort = scheme.toLowerCase() === "https://" ? "443" : "80";
  return [
    `${scheme}${userinfo}${host}:${port?.[1] || defaultPort}${rest}`,
    `${scheme}${userinfo}${host}${rest}`,
  ];
}

/**
 * The request URL, parsed. It comes from the request (the Node bridge builds it from the Host
 * header), so a malformed one is the client's mistake — 400, not 500 — and no URL Twilio signed is.
 */
function parseUrl(url: string): URL {
  try {
    return new URL(url);
  } catch {
    throw new WebhookError(
      "invalid_payload",
      "hookgate: the request URL (built from its Host header) is not a valid URL, so it cannot be one Twilio signed",
    );
  }
}

/** What Twilio signed: synchronous where node:crypto is present (a JSON body's SHA-256 too). */
function twilioContent(context: ContentContext): Chunk[][] | Promise<Chunk[][]> {
  if (!context.url) {
    throw new WebhookError(
      "url_required",
      "hookgate: Twilio signs the full public URL it posted to; pass `url` (behind a proxy, the public https URL, not the internal one)",
    );
  }
  const url = parseUrl(context.url);
  const bodyHash = url.searchParams.get("bodySHA256");
  let params = "";
  if (bodyHash !== null) {
    // JSON bodies: the URL carries the body's SHA-256, and only the URL is signed.
    const actual = sha256([context.body]);
    if (actual instanceof Promise) {
      return actual.then((digest) => {
        checkBodyHash(bodyHash, digest);
        return urlVariants(context, url, params);
      });
    }
    checkBodyHash(bodyHash, actual);
  } else if (isForm(context.contentType)) {
    params = paramString(toText(context.body));
  } else if (context.signing) {
    throw new WebhookError(
      "url_required",
      "hookgate: Twilio signs a JSON body through a bodySHA256 query parameter; add ?bodySHA256=<hex sha256 of the body> to the url",
    );
  } else if (context.body.byteLength > 0) {
    // A signature over the URL alone covers no body: Twilio signs a JSON body only through the
    // URL's bodySHA256 (as twilio-node's validateRequestWithBody requires), so any other body is unsigned.
    throw new WebhookError(
      "signature_mismatch",
      "hookgate: a Twilio request with a non-form body must carry bodySHA256 in its signed URL; this body is not covered by the signature",
    );
  }
  return urlVariants(context, url, params);
}

/** The body's SHA-256 against the `bodySHA256` the signed URL carries. */
function checkBodyHash(bodyHash: string, actual: Uint8Array): void {
  const expected = fromHex(bodyHash);
  if (!expected || !timingSafeEqual(expected, actual)) {
    throw new WebhookError(
      "signature_mismatch",
      "hookgate: the body does not match the bodySHA256 in the URL Twilio signed",
    );
  }
}

/**
 * The URLs Twilio may have signed: as it requested it, and, since Twilio is inconsistent about
 * default ports, with and without the port, then WHATWG-normalized, as twilio-node does.
 */
function urlVariants(context: ContentContext, url: URL, params: string): Chunk[][] {
  if (context.signing) return [[context.url + params]];
  const normalized = url.toString();
  const variants = new Set([
    context.url!,
    ...portVariants(context.url!),
    normalized,
    ...portVariants(normalized),
  ]);
  return [...variants].map((variant) => [variant + params]);
}

/**
 * Form fields as the signature sees them: a field repeated with one value is that value (twilio-node
 * de-duplicates repeated values before signing, so the payload must too), distinct values an array.
 */
function parseTwilio(text: string, contentType: string | undefined): unknown {
  if (!isForm(contentType)) return parseJson(text);
  const form = parseForm(text);
  for (const [name, value] of Object.entries(form)) {
    if (Array.isArray(value)) {
      const distinct = [...new Set(value)];
      form[name] = distinct.length === 1 ? distinct[0]! : distinct;
    }
  }
  return form;
}

interface TwilioForm {
  type?: unknown;
  MessageSid?: unknown;
  SmsSid?: unknown;
  MessageStatus?: unknown;
  SmsStatus?: unknown;
  CallSid?: unknown;
  CallStatus?: unknown;
}

/**
 * Twilio: `X-Twilio-Signature: <base64>`, HMAC-SHA1 keyed by the auth token over the full URL
 * followed by every POST parameter sorted by name (`name + value`); for JSON bodies the URL's
 * `bodySHA256` is checked against the body. Needs the public `url` the request was sent to.
 * The id is `I-Twilio-Idempotency-Token`; the type is `message.<status>` or `call.<status>`.
 * (https://www.twilio.com/docs/usage/webhooks/webhooks-security)
 */
export function twilio(options: TwilioSchemeOptions): HeaderSigningScheme {
  return defineScheme(
    {
      name: "twilio",
      signatures: [
        { header: "x-twilio-signature", format: { type: "plain" }, algorithm: "sha1", encoding: "base64" },
      ],
      content: twilioContent,
      key: utf8Key,
      id: { header: "i-twilio-idempotency-token" },
      type: ({ payload }) => {
        const p = payload as TwilioForm;
        if (typeof p.type === "string") return p.type;
        const status = (value: unknown, fallback: string) =>
          typeof value === "string" ? value.toLowerCase() : fallback;
        if (p.MessageSid !== undefined || p.SmsSid !== undefined)
          return `message.${status(p.MessageStatus ?? p.SmsStatus, "received")}`;
        if (p.CallSid !== undefined) return `call.${status(p.CallStatus, "unknown")}`;
        return undefined;
      },
      signsUrl: true,
      parse: parseTwilio,
      contentTypes: ["application/x-www-form-urlencoded", "application/json"],
    },
    options,
  );
}
