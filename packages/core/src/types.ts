import type { CryptoKeyMaterial } from "./internal/crypto.js";

/** Request headers: a Web `Headers`, or a Node-style record, read case-insensitively. */
export type HeadersInput =
  | Headers
  | Readonly<Record<string, string | readonly string[] | string[] | undefined>>;

/** The exact bytes received: a `Uint8Array` (a Node `Buffer` is one) or a string taken as UTF-8. */
export type RawBody = Uint8Array | string;

/** What a scheme needs to verify one request. */
export interface VerifyInput {
  headers: HeadersInput;
  rawBody: RawBody;
  /** The full public URL the sender posted to; needed by schemes that sign it (Twilio). */
  url?: string | undefined;
  /** The request method; defaults to POST. */
  method?: string | undefined;
  /** Route parameters the adapter matched (`/webhooks/:tenant`), passed to per-request secrets. */
  params?: Readonly<Record<string, string>> | undefined;
}

/** Options for {@link verify}. */
export interface VerifyOptions {
  /**
   * Freshness window in seconds, applied both ways: older, or further in the future, is refused.
   * `Infinity` turns the check off (for replaying stored deliveries you already trust).
   * @default 300
   */
  tolerance?: number | undefined;
  /** The clock to judge freshness by. @default new Date() */
  now?: Date | undefined;
}

/** Which configured secret verified a delivery: its position in the list, and its `id` if one was given. */
export interface MatchedSecret {
  index: number;
  id?: string;
}

/** A delivery whose signature checked out. */
export interface Delivery<TType extends string = string, TPayload = unknown> {
  /** The sender's delivery or event id: the idempotency key. */
  id: string;
  /** The event type, e.g. `invoice.paid`, `issues.opened`, `orders/create`. */
  type: TType;
  /** The signed timestamp, where the scheme has one. */
  timestamp?: Date;
  /** The parsed body: JSON, or form fields. */
  payload: TPayload;
  /** The exact bytes that were verified. */
  rawBody: Uint8Array;
  /** The scheme's name, e.g. `stripe`. */
  scheme: string;
  /** Which configured secret matched: tells operators when an old secret can be dropped. */
  matchedSecret: MatchedSecret;
}

/** A delivery that a receiver hands to its handlers: a verified {@link Delivery} plus when it arrived. */
export interface WebhookEvent<TType extends string = string, TPayload = unknown>
  extends Delivery<TType, TPayload> {
  receivedAt: Date;
}

/** A secret as configured: the value, or the value with an id for rotation bookkeeping. */
export type SecretEntry = string | { id: string; value: string };

/** One secret, or several during rotation (all are tried; the first signs). */
export type StaticSecrets = SecretEntry | readonly SecretEntry[];

/** What a per-request secret function sees: the request, not yet verified. */
export interface SecretRequest {
  headers: HeadersInput;
  url: string | undefined;
  /** Route parameters the adapter matched (`{ tenant: "acme" }`); empty when there are none. */
  params: Readonly<Record<string, string>>;
  /**
   * True when the question is whether a handshake may establish a secret (Asana's
   * `X-Hook-Secret`): answer from where secrets are stored, never from a cache — a cached "none
   * yet" would let a second handshake replace the first. `cachedSecrets` does so.
   */
  handshake?: boolean;
}

/**
 * Secrets chosen per request (per tenant, per endpoint): a function of the unverified request
 * returning the secrets to try, sync or async. Nothing it reads is trusted until a secret it
 * returned verifies the signature; return `[]` for an unknown tenant (the request is refused).
 */
export type SecretResolver = (request: SecretRequest) => StaticSecrets | Promise<StaticSecrets>;

/** Secrets: one, several during rotation (all are tried; the first signs), or a {@link SecretResolver}. */
export type SecretInput = StaticSecrets | SecretResolver;

/** What {@link Scheme.sign} signs. */
export interface SignInput {
  /** The delivery id; schemes that send it in a header put it there. @default a random UUID */
  id?: string | undefined;
  /** The signing time. @default new Date() */
  timestamp?: Date | undefined;
  /** The exact body to send. */
  rawBody: RawBody;
  /** The URL the request is sent to (Twilio signs it). */
  url?: string | undefined;
  /** Event type, for schemes that carry it in a header (GitHub, Shopify, Linear). */
  type?: string | undefined;
  /** Content type to send. @default application/json, or form-urlencoded for a body that is not JSON */
  contentType?: string | undefined;
}

/**
 * A request signed as the provider would send it: the headers and the exact body. For most
 * schemes the body is the one given to {@link Scheme.signRequest}; schemes that sign inside the
 * body (Mailgun, AWS SNS) return the body with the signature written into it.
 */
export interface SignedRequest {
  /** The headers to send: signature, timestamp, id, type and `content-type`, as the scheme needs. */
  headers: Record<string, string>;
  /** The exact bytes to send. */
  rawBody: Uint8Array;
}

/** Where a scheme's senders put one value (the delivery id, the event type). */
export interface FieldFacts {
  /** The header it is sent in. */
  header?: string;
  /** Payload dot paths it is read from, the first present winning (after the header, if any). */
  payload?: readonly string[];
  /** A payload field appended as `.${action}` (GitHub `issues` + `opened`). */
  action?: string;
  /** Computed from the payload by the scheme, in no single place. */
  computed?: boolean;
}

/** How a signature is made: see {@link SchemeFacts.algorithms}. */
export type SignatureAlgorithmFact =
  | "sha1"
  | "sha256"
  | "sha512"
  | "ed25519"
  | "ecdsa-p256-sha256"
  | "rsa-sha1"
  | "rsa-sha256"
  | "token";

/**
 * What a scheme's senders do, in one place: the test kit, the CLI and the docs read it from the
 * scheme instead of keeping tables of their own.
 */
export interface SchemeFacts {
  id: FieldFacts;
  type: FieldFacts;
  /** Where the signed timestamp is, and its unit; absent for schemes without one (GitHub). */
  timestamp?:
    | { header: string; unit: "s" | "ms" | "iso" }
    | { payload: string; unit: "s" | "ms" }
    /** Beside the signature, in its own signed fields (Stripe `t=`, Mailgun's `timestamp`, SNS's `Timestamp`). */
    | { signature: true; unit: "s" | "ms" | "iso" };
  /**
   * Where the event's creation time is, in the signed payload (Stripe's `created`): what
   * `ordering` compares by default. Absent where the provider signs none (GitHub); the signed
   * `timestamp` is the delivery attempt's, which a retry renews, so it is never used for order.
   */
  eventTime?: { payload: string; unit: "s" | "ms" | "iso" };
  /** Content types the provider sends; a receiver answers others 415. */
  contentTypes: readonly string[];
  /**
   * The body field the event travels in, as text, inside an envelope the provider signs (SNS
   * `Message`). {@link Scheme.signRequest} wraps the body it is given in that envelope; `id` and
   * `type` name envelope fields. Absent where the body is the event itself.
   */
  envelope?: string;
  /**
   * Where a scheme whose key is a certificate the request names (AWS SNS, PayPal) carries the
   * certificate's URL, and the form the URL must have (`<…>` marks what varies): only such URLs
   * are fetched. Absent where the keys are configured.
   */
  certificate?: { header?: string; field?: string; form: string };
  /**
   * Where a signature carried in the body is (Mailgun, SNS, Microsoft Graph): the field, in the
   * object at the JSON dot path `json` (`""`: the top level; `each`: in every item of that array),
   * or a top-level field of a form. Absent where the signature travels in headers.
   */
  bodySignature?: { json: string; field: string; each: boolean };
  /** Whether the signature covers the request URL (Twilio): the receiver needs the public URL. */
  signsUrl: boolean;
  /**
   * How the signature is made, one entry per kind the scheme accepts: an HMAC hash (`sha256`,
   * `sha1`, `sha512`), `ed25519`, `ecdsa-p256-sha256`, `rsa-sha1` / `rsa-sha256` (an RSA
   * certificate), or `token` (the header carries the shared secret itself: Telegram, GitLab).
   */
  algorithms: readonly SignatureAlgorithmFact[];
  /** The headers the signature travels in (empty where it travels in the body: SNS, Mailgun). */
  signatureHeaders: readonly string[];
  /**
   * Whether the signature covers the body. A shared-token scheme (Telegram, GitLab) does not: it
   * proves who sent a request, not that its body is the one they sent.
   */
  bodySigned: boolean;
  /**
   * Headers that carry a credential rather than a per-delivery signature (a shared token: Telegram,
   * GitLab): never kept in journals or queued jobs, whatever `redactHeaders` says.
   */
  credentialHeaders: readonly string[];
  /**
   * Whether the keys that verify are secret (HMAC, tokens) or the sender's public keys (Ed25519,
   * ECDSA, RSA certificates). A receiver seals what it keeps with a key derived from a secret one;
   * with public keys it needs its own `sealKey`.
   */
  keys: "secret" | "public";
  /**
   * Whether the signature covers the delivery id. When it does not (an unsigned id header), the
   * idempotency key is a digest of the signed timestamp and body, so a replay under a fresh id is
   * still a duplicate; a shared-token scheme (`algorithms` only `token`) signs nothing per
   * delivery, and is keyed by its id as sent, with its body bound to it.
   */
  idSigned: boolean;
  /**
   * How long the sender waits for an answer, in ms, where its docs say (Discord and Slack 3 s,
   * Shopify 5 s, GitHub 10 s), and the reply it takes when the real one cannot come in time
   * (Discord's deferred `{"type":5}`, Slack's empty 200). The receiver's `deadlineMs` defaults to
   * `ms` less a margin. Absent where the sender documents no timeout.
   */
  deadline?: SchemeDeadline;
}

/** See {@link SchemeFacts.deadline}. */
export interface SchemeDeadline {
  /** The sender's timeout, in ms. */
  ms: number;
  /** The answer to give at the deadline instead of the handler's, if the provider defines one. */
  deferred?: HandshakeReply;
}

/**
 * A provider's signature scheme, configured with secrets: verifies requests and signs test ones.
 * `Answer` is the shape of the synchronous answers its provider reads (Discord's interaction
 * responses, Slack's messages): what `receiver.respond` handlers return.
 */
export interface Scheme<Answer = unknown> {
  /** The scheme's name, e.g. `stripe`; part of every idempotency key. */
  readonly name: string;
  /** Types only, never set: carries `Answer` so a receiver types its `respond` handlers. */
  readonly "~answer"?: Answer;
  /** Where this scheme's senders put the id, type and timestamp, and what the signature covers. */
  readonly facts: SchemeFacts;
  /**
   * The same scheme signing with `key` instead (an HMAC secret, or an Ed25519 private key);
   * verification is unchanged. For tests of the wrong-secret path.
   */
  withSigningKey(key: SecretInput): Scheme;
  /** Verifies one request; throws a {@link WebhookError} when it does not check out. */
  verify(input: VerifyInput, options?: VerifyOptions): Promise<Delivery>;
  /**
   * {@link Scheme.verify} without a promise, as stripe-node's `constructEvent` beside
   * `constructEventAsync`: the delivery, or the same {@link WebhookError} (same code) `verify`
   * rejects with. Applies where the keys are already local and node:crypto is present: every
   * built-in scheme configured with static secrets on Node, Bun or Deno. Elsewhere — Web Crypto
   * only, secrets from a function, a certificate fetched per request (AWS SNS) — it throws
   * `invalid_option` whatever the request: use `verify`.
   *
   * @example
   * const delivery = schemes.stripe({ secret }).verifySync({ headers, rawBody });
   */
  verifySync(input: VerifyInput, options?: VerifyOptions): Delivery;
  /**
   * For receivers, not applications: verifies again a delivery the receiver verified before and
   * kept (a journal row, a queued job), as `verify` does, and also asks `kept` — the receiver's
   * seal check — with the key that verifies. Where the signature is a credential the receiver
   * never keeps (a shared token), the seal made with that credential's key stands in for it.
   * Schemes without it are re-verified with `verify` and the matched key.
   */
  reverify?(
    input: VerifyInput,
    options: VerifyOptions,
    kept: (key: CryptoKeyMaterial) => boolean | Promise<boolean>,
  ): Promise<Delivery>;
  /**
   * The exact headers the provider would send with this body, signed with the first secret.
   * Absent where the signature travels inside the body (Mailgun, AWS SNS): there are no headers
   * to return, so use {@link Scheme.signRequest}. Built-in header-signed schemes are typed
   * {@link HeaderSigningScheme}, where it is always present.
   */
  sign?(input: SignInput): Promise<Record<string, string>>;
  /**
   * The request the provider would send, headers and body, signed with the first secret: for
   * every scheme, including those whose signature travels inside the body (Mailgun's `signature`
   * fields, SNS's signed envelope). Send `rawBody` as returned, not the body you passed in.
   *
   * @example
   * const { headers, rawBody } = await schemes.mailgun({ secret }).signRequest({ rawBody: JSON.stringify({ "event-data": { event: "delivered" } }) });
   * await receiver.handle({ method: "POST", headers, rawBody });
   */
  signRequest(input: SignInput): Promise<SignedRequest>;
  /**
   * A reply the provider expects to a handshake delivery (Slack `url_verification`, Discord
   * PING), answered after the signature checks out and without running handlers.
   */
  handshake?(delivery: Delivery): HandshakeReply | undefined;
  /**
   * A request the provider's protocol sends unsigned (Dropbox's GET `challenge`, Asana's
   * `X-Hook-Secret` echo), answered before verification — only in the exact form that protocol
   * defines, never running handlers. `undefined`: not a challenge, verify as usual.
   */
  challenge?(request: ChallengeRequest): HandshakeReply | undefined | Promise<HandshakeReply | undefined>;
  /**
   * Splits one verified request that carries several events (SendGrid's event webhook) into one
   * delivery per event, each with its own id: each is claimed and dispatched on its own.
   */
  split?(delivery: Delivery): Delivery[];
  /**
   * Statuses this provider needs answered differently (a sender that disables an endpoint on a
   * status, or stops retrying on one), by error code; the receiver's `responses` option overrides.
   */
  readonly responses?: Readonly<Partial<Record<string, number>>>;
}

/** A scheme whose signature travels in headers: {@link Scheme.sign} returns them. */
export interface HeaderSigningScheme<Answer = unknown> extends Scheme<Answer> {
  sign(input: SignInput): Promise<Record<string, string>>;
  withSigningKey(key: SecretInput): HeaderSigningScheme<Answer>;
}

/** What a scheme's {@link Scheme.challenge} sees: the request, unverified, body read. */
export interface ChallengeRequest {
  method: string;
  url: string | undefined;
  headers: HeadersInput;
  rawBody: Uint8Array;
  /** Route parameters the adapter matched, for per-request secrets (Zoom verifies its validation). */
  params?: Readonly<Record<string, string>> | undefined;
}

/**
 * A handshake answer: by default status 200 with `body` as JSON. A `contentType` of `text/plain`
 * sends a string body as is (Twitch and Dropbox echo a challenge as text).
 */
export interface HandshakeReply {
  body: unknown;
  /** @default 200 */
  status?: number;
  /** @default "application/json; charset=utf-8" */
  contentType?: string;
  /** Extra response headers (Asana's `X-Hook-Secret` echo). */
  headers?: Record<string, string>;
}
