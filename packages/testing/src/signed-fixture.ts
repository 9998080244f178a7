import { type Scheme, type SchemeFacts, WebhookError } from "@hookgate/core";
import { fixtureTypeOf } from "./internal/define-fixture.js";
import { headerTypeNeeded, withPayloadFacts } from "./internal/scheme-facts.js";

/** What was signed, ready to send: `headers` and the exact `body`, plus the `url` when one was given. */
export interface SignedFixture {
  /** The headers the provider would send: signature, timestamp, id, type and `content-type`. */
  headers: Record<string, string>;
  /**
   * The exact body that was signed (JSON, or form fields for Twilio). Send it as is: for schemes
   * that sign inside the body (Mailgun, AWS SNS) it carries the signature, so it is not the payload given.
   */
  body: string;
  /** The URL it was signed for (Twilio signs it); {@link testHandler} posts to it. */
  url?: string;
}

/**
 * How to spoil a signed fixture, to test the rejection paths: `"body"` changes the body after
 * signing, `"signature"` changes one character of the signature; a function gets the signed
 * fixture and returns the one to send.
 */
export type Tamper = "body" | "signature" | ((fixture: SignedFixture) => SignedFixture);

/** Options for {@link signedFixture} and {@link signedRequest}. */
export interface SignedFixtureOptions {
  /**
   * The delivery id: sent in the scheme's id header, or, where the provider puts it in the payload
   * (Stripe `id`, Paddle `event_id`, Slack `event_id`, Discord `id`), written there.
   * @default a random id (the fixture's own for payload-borne ids)
   */
  id?: string;
  /**
   * The signing time; an old one makes a stale delivery (rejected `timestamp_too_old` beyond the
   * receiver's `tolerance`, by schemes that sign a timestamp — GitHub, Shopify and Twilio do not).
   * @default new Date()
   */
  timestamp?: Date;
  /** The event type, for schemes that send it in a header (GitHub, Shopify, Linear). @default the fixture's */
  type?: string;
  /** The URL the request is sent to. Twilio signs it, so it is required there. */
  url?: string;
  /**
   * Sign with this secret instead of the scheme's (for built-in schemes: the scheme is re-created
   * by name; for Discord it is the Ed25519 private key). Tests the wrong-secret path.
   */
  secret?: string;
  /** Sign with this scheme instead, e.g. `schemes.hmac({ ...options, secret: "wrong" })`. */
  signWith?: Scheme;
  /** Spoil the fixture after signing. */
  tamper?: Tamper;
  /** The content type to send. @default the scheme's: JSON, or form fields for Twilio */
  contentType?: string;
}

const SIGNATURE_HEADER = /signature|hmac/i;
const FORM = "application/x-www-form-urlencoded";

function encode(payload: object, contentType: string): string {
  if (!contentType.toLowerCase().startsWith(FORM)) return JSON.stringify(payload);
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(payload)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined)
        form.append(name, typeof item === "object" ? JSON.stringify(item) : String(item));
    }
  }
  return form.toString();
}

function tamperBody(body: string): string {
  // A field added inside the JSON (or the form) keeps it parseable: only the signature can tell.
  const end = body.lastIndexOf("}");
  if (/^\s*\{/.test(body) && end > 0) {
    return `${body.slice(0, end)}${/\{\s*$/.test(body.slice(0, end)) ? "" : ","}"tampered":true${body.slice(end)}`;
  }
  return body.length > 0 && !/^\s*[[{]/.test(body) ? `${body}&tampered=1` : `${body} `;
}

// One character well inside a signature, swapped within hex and base64 alike.
function spoil(value: string): string {
  const at = Math.max(0, value.length - 10);
  return value.slice(0, at) + (value[at] === "a" ? "b" : "a") + value.slice(at + 1);
}

/**
 * Spoils a signature carried in the body where the scheme's facts say it is (Mailgun's
 * `signature.signature`, SNS's `Signature`, each of Graph's `value[].clientState`).
 */
function tamperBodySignature(
  body: string,
  where: NonNullable<SchemeFacts["bodySignature"]>,
): string | undefined {
  const { json, field, each } = where;
  if (/^\s*\{/.test(body)) {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const container = json
      ? json
          .split(".")
          .reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], parsed)
      : parsed;
    const carriers = (each && Array.isArray(container) ? container : [container]) as Record<
      string,
      unknown
    >[];
    if (!carriers.some((carrier) => typeof carrier?.[field] === "string")) return undefined;
    for (const carrier of carriers) {
      if (typeof carrier?.[field] === "string") carrier[field] = spoil(carrier[field]);
    }
    // An envelope (SNS) is written as its sender writes it, indented.
    return JSON.stringify(parsed, null, /^\s*\{\s*\n/.test(body) ? 2 : undefined);
  }
  const form = new URLSearchParams(body);
  const signature = form.get(field);
  if (signature === null) return undefined;
  form.set(field, spoil(signature));
  return form.toString();
}

/** Changes the event inside a signed envelope (SNS `Message`), keeping the envelope readable. */
function tamperEnvelope(body: string, field: string): string {
  const envelope = JSON.parse(body) as Record<string, unknown>;
  envelope[field] = tamperBody(String(envelope[field] ?? ""));
  return JSON.stringify(envelope, null, 2);
}

function tamperSignature(fixture: SignedFixture, facts: SchemeFacts): SignedFixture {
  const { headers } = fixture;
  const names = Object.keys(headers).filter(
    (name) => SIGNATURE_HEADER.test(name) && !/timestamp/i.test(name),
  );
  if (names.length === 0) {
    const body = facts.bodySignature && tamperBodySignature(fixture.body, facts.bodySignature);
    if (body !== undefined) return { ...fixture, body };
    throw new WebhookError(
      "invalid_option",
      'hookgate: tamper: "signature" found no header named like *signature* or *hmac*, nor a signature field in the body; pass a function: tamper: (fixture) => ({ ...fixture, headers: { ... } })',
    );
  }
  const out = { ...headers };
  for (const name of names) out[name] = spoil(out[name]!);
  return { ...fixture, headers: out };
}

/**
 * Signs a payload exactly as the provider would, through `scheme.signRequest`, and returns the
 * headers and body to send — to supertest, `fetch`, or {@link testHandler}. Objects are sent as
 * JSON (form fields for Twilio); a string is sent as is. Schemes that sign inside the body write
 * their signature into it (Mailgun), or wrap the payload in a signed envelope (AWS SNS: the
 * payload becomes the `Message`).
 *
 * @example
 * const { headers, body } = await signedFixture(scheme, fixtures.stripe.invoicePaid());
 * await request(app).post("/webhooks").set(headers).send(body).expect(200);
 * // rejection paths
 * await signedFixture(scheme, payload, { timestamp: new Date(Date.now() - 3_600_000) }); // stale
 * await signedFixture(scheme, payload, { tamper: "body" });                              // altered
 * await signedFixture(scheme, payload, { secret: "whsec_wrong" });                        // wrong secret
 */
export async function signedFixture(
  scheme: Scheme,
  payload: object | string,
  options: SignedFixtureOptions = {},
): Promise<SignedFixture> {
  if (options.secret !== undefined && options.signWith) {
    throw new WebhookError(
      "invalid_option",
      "hookgate: signedFixture takes `secret` or `signWith`, not both",
    );
  }
  const signer =
    options.signWith ?? (options.secret === undefined ? scheme : scheme.withSigningKey(options.secret));
  const timestamp = options.timestamp ?? new Date();
  const { envelope } = scheme.facts;
  // In an envelope (SNS), the type is the envelope's (`Notification`), not the payload's.
  const type = envelope === undefined ? (options.type ?? fixtureTypeOf(payload)) : options.type;
  const typeHeader = headerTypeNeeded(scheme);
  if (type === undefined && typeHeader) {
    throw new WebhookError(
      "invalid_option",
      `hookgate: ${scheme.name} sends the event type in ${typeHeader}, and this payload has none; pass { type: "…" } (payloads from \`fixtures\` carry theirs until copied)`,
    );
  }

  let rawBody: string;
  let contentType = options.contentType;
  if (typeof payload === "string") rawBody = payload;
  else if (Array.isArray(payload)) {
    contentType ??= "application/json";
    rawBody = JSON.stringify(payload);
  } else {
    const data =
      envelope === undefined
        ? withPayloadFacts(scheme, payload as Record<string, unknown>, options.id, timestamp)
        : payload;
    contentType ??= signer.facts.contentTypes[0] ?? "application/json";
    rawBody = encode(data, contentType);
  }

  const signed = await signer.signRequest({
    rawBody,
    id: options.id,
    timestamp,
    type,
    url: options.url,
    contentType,
  });
  let fixture: SignedFixture = { headers: signed.headers, body: new TextDecoder().decode(signed.rawBody) };
  if (options.url !== undefined) fixture.url = options.url;

  const { tamper } = options;
  if (tamper === "body") {
    const body = envelope === undefined ? tamperBody(fixture.body) : tamperEnvelope(fixture.body, envelope);
    fixture = { ...fixture, body };
  } else if (tamper === "signature") fixture = tamperSignature(fixture, scheme.facts);
  else if (typeof tamper === "function") fixture = tamper(fixture);
  return fixture;
}

/**
 * {@link signedFixture} as a Web `Request` to `url`: for `receiver.fetch`, Hono's `app.request`,
 * Next.js route handlers, or `fetch` itself.
 *
 * @example
 * const response = await receiver.fetch(await signedRequest(scheme, "https://example.com/webhooks", fixtures.github.push()));
 */
export async function signedRequest(
  scheme: Scheme,
  url: string,
  payload: object | string,
  options: Omit<SignedFixtureOptions, "url"> = {},
): Promise<Request> {
  const { headers, body } = await signedFixture(scheme, payload, { ...options, url });
  return new Request(url, { method: "POST", headers, body });
}
