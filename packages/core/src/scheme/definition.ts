import type { Chunk, CryptoKeyMaterial, HmacHash } from "../internal/crypto.js";
import type { KeyDecoder } from "../internal/secrets.js";
import type {
  ChallengeRequest,
  Delivery,
  HandshakeReply,
  HeadersInput,
  Scheme,
  SchemeDeadline,
  SecretInput,
} from "../types.js";
import type { CertificateSourceSpec } from "./certificate-source.js";

/**
 * Signature algorithm: an HMAC hash, Ed25519, ECDSA P-256 over SHA-256 (DER signature), or
 * `token`: the header carries the shared secret itself (Telegram, GitLab), compared in constant time.
 */
export type SignatureAlgorithm =
  | HmacHash
  | "ed25519"
  | "ecdsa-p256-sha256"
  /** RSASSA-PKCS1-v1_5 with the key of a certificate the request names ({@link SchemeCertificate}). */
  | "rsa-sha1"
  | "rsa-sha256"
  | "token";

/** How signatures are laid out in their header. */
export type SignatureFormat =
  /**
   * One signature per header value, optionally prefixed: `sha256=<hex>`, `v0=<hex>`, `<base64>`.
   * `prefixAnyCase` matches the prefix in any letter case: an `Authorization` scheme name such as
   * `Bearer ` or `Basic ` is case-insensitive (RFC 9110 §11.1).
   */
  | { type: "plain"; prefix?: string; prefixAnyCase?: boolean }
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
  /** How the signature is written; `text` only for `token` (the secret as sent). */
  encoding: "hex" | "base64" | "text";
  /** Read only when none of the scheme's other signature headers is present (a legacy header). */
  fallback?: boolean;
}

/**
 * A signature carried in the body rather than a header (Mailgun): fields of the parsed body —
 * top-level fields of a form, or the object at `json` in a JSON body. The engine reads them
 * before verifying (parsing is bounded: `payload.ts`), signs `content` over them (a template's
 * `{field:<name>}`), and `signRequest` writes them into the body it returns.
 */
export interface BodySignatureSpec {
  /** Dot path of the object holding the fields in a JSON body (`"signature"`); `""`: the top level. */
  json: string;
  /** The field holding the signature. */
  signature: string;
  /** The signed fields beside it, in the order they are written (`timestamp`, `token`). */
  fields: readonly string[];
  /** Which field is the delivery id (single-use, signed: Mailgun's `token`); signing writes the id there. */
  id?: string;
  /**
   * `json` names an array, and every item carries the fields (Microsoft Graph's `value[].clientState`):
   * each must, all alike. At most 1000 items.
   */
  each?: boolean;
  /**
   * An HMAC, or `token`: the field carries the shared secret itself (Graph's `clientState`),
   * compared in constant time. A token is a credential: the engine replaces it with `[redacted]` in
   * the body of every delivery it hands on, so journals and queued jobs never keep it (the
   * receiver's seal stands in for it when a kept delivery is verified again).
   */
  algorithm: HmacHash | "token";
  encoding: "hex" | "base64" | "text";
}

/**
 * Keys from a certificate the request names (PayPal's `paypal-cert-url`): fetched only from the
 * provider's hosts and paths, within time, size and rate bounds, cached once it verified a
 * request (`scheme/certificate-source.ts`). The scheme then has no secret: the certificate's RSA
 * key verifies, and every delivery belongs to one tenant (the provider's keys are global).
 */
export interface SchemeCertificate extends CertificateSourceSpec {
  /** The header carrying the certificate's URL. */
  header?: string;
  /** Or the field of a signed envelope carrying it ({@link SignedEnvelopeSpec}: SNS `SigningCertURL`). */
  field?: string;
}

/** The algorithms a signed envelope's certificate signs with. */
export type EnvelopeAlgorithm = "rsa-sha1" | "rsa-sha256";

/**
 * A signed envelope (AWS SNS): the body is a JSON object whose fields are signed one by one — each
 * signed field as `Name\nValue\n`, in the order the message type's list gives — and the event
 * travels inside it as text. The signature, its algorithm and the certificate's URL
 * ({@link SchemeCertificate.field}) are fields of the envelope too. The engine reads it (bounded),
 * refuses a field with a line break (one field's value could pose as the next field) or a type
 * it does not know before any fetch, and `signRequest` wraps the body it is given in an envelope.
 * The payload is the envelope; `id` and `type` name its fields.
 */
export interface SignedEnvelopeSpec {
  /** The field the event travels in, as text (`Message`); the only one that may span lines. */
  message: string;
  /** The field naming the message type (`Type`): it picks the signed fields. */
  type: string;
  /**
   * The signed fields of each message type, in signing order; a name ending in `?` is signed only
   * when present (`Subject?`). The first type is what `signRequest` makes by default.
   */
  signed: Readonly<Record<string, readonly string[]>>;
  /** The field holding the signature, base64 (`Signature`). */
  signature: string;
  /** The field choosing the algorithm, and the algorithm of each value (`SignatureVersion`: `"1"` → `rsa-sha1`). */
  algorithm: { field: string; values: Readonly<Record<string, EnvelopeAlgorithm>> };
  /**
   * A field whose value must be one of `values` (SNS's `TopicArn`: anyone can make SNS post a
   * correctly signed message from their own topic), checked before any certificate is fetched;
   * `option` names the setting in messages.
   */
  allow?: { field: string; values: readonly string[]; option: string };
  /**
   * Fields holding URLs the receiver may visit (SNS's `SubscribeURL`): where present, each must be
   * https on a certificate host, or the message is refused before any fetch.
   */
  urls?: readonly string[];
  /** How `signRequest` signs: the certificate URL written into the envelope and the algorithm field's value. */
  signing?: { certificateUrl: string; algorithm: string } | undefined;
  /**
   * The envelope `signRequest` posts, given the message type, id, signing time (written as the
   * provider writes it), the body as text and the canonical certificate URL: its `fields`
   * (which carry every signed field) in the provider's order, the fields written `after` the
   * signature, and the headers sent beside it.
   */
  compose?: (input: EnvelopeInput) => {
    fields: Record<string, string>;
    after?: Record<string, string>;
    headers: Record<string, string>;
  };
}

/** What {@link SignedEnvelopeSpec.compose} is given. */
export interface EnvelopeInput {
  type: string;
  id: string;
  timestamp: Date;
  message: string;
  certificateUrl: string;
}

/** Where the signed timestamp is found. */
export type TimestampSpec =
  /** `iso`: an RFC 3339 date-time, signed as sent (Twitch, Box, Zendesk). */
  | { header: string; aliases?: readonly string[]; unit: "s" | "ms" | "iso" }
  /** In the signature header's timestamp field (`fields` format). */
  | { in: "signature"; unit: "s" | "ms" }
  /** In the JSON payload at a dot path; checked after the signature. */
  | { payload: string; unit: "s" | "ms" }
  /** A field of the body-carried signature ({@link BodySignatureSpec}), checked before it. */
  | { field: string; unit: "s" | "ms" | "iso" };

/**
 * Where the event's own time is: when the sender created the event, in the signed payload — not
 * when this delivery attempt was signed (Stripe's `t=` and Standard Webhooks' timestamp header are
 * re-signed on each retry). What the receiver's `ordering` compares by default.
 */
export interface EventTimeSpec {
  /** A dot path in the JSON payload. */
  payload: string;
  /** Seconds or milliseconds since the epoch, or an RFC 3339 date-time. */
  unit: "s" | "ms" | "iso";
}

/** What a value-source function sees. */
export interface SourceContext {
  headers: HeadersInput;
  payload: unknown;
}

/**
 * Where the delivery id or event type is found: a header, payload dot-paths (the first present
 * wins), or both with the header first; `action` appends `.${payload.action}` (GitHub, Linear).
 * A function computes it from the verified request instead.
 */
export type ValueSource =
  | {
      header?: string;
      aliases?: readonly string[];
      payload?: string | readonly string[];
      action?: string;
    }
  | ((context: SourceContext) => string | undefined);

/** What a signed-content function sees. */
export interface ContentContext {
  /** The fields of a body-carried signature ({@link BodySignatureSpec}), as sent or being written. */
  fields?: Readonly<Record<string, string>> | undefined;
  id: string | undefined;
  timestamp: string | undefined;
  body: Uint8Array;
  url: string | undefined;
  method: string;
  /**
   * When checking, the body's format as the engine decided it from the signed bytes (`signedFormat`),
   * not the request's Content-Type; when signing, the content type being signed for.
   */
  contentType: string | undefined;
  /** True when producing a signature, false when checking one. */
  signing: boolean;
}

/**
 * A declarative description of a provider's signatures. One engine ({@link defineScheme})
 * verifies and signs from it, so a new provider is a description, never new crypto code.
 */
export interface SchemeDefinition {
  /** The scheme's name: the kebab-case of its key in `schemes` (`standard-webhooks`). */
  name: string;
  /** Every signature header the provider sends; a request verifies when any one matches. */
  signatures?: readonly SignatureSpec[];
  /** A signature carried in the body instead of headers (Mailgun). */
  bodySignature?: BodySignatureSpec;
  /** A signed envelope, whose fields are signed and carry the event (AWS SNS); no `content` then. */
  envelope?: SignedEnvelopeSpec;
  /** Keys from a certificate the request names, instead of configured secrets (PayPal). */
  certificate?: SchemeCertificate;
  timestamp?: TimestampSpec;
  /** Where the event's creation time is, where the provider signs one (see {@link EventTimeSpec}). */
  eventTime?: EventTimeSpec;
  /**
   * The signed content: a template over `{id}`, `{timestamp}`, `{body}`, `{url}` and the fields
   * of a body-carried signature, `{field:token}`, and `{crc32}`, the body's CRC-32 in decimal
   * (PayPal; not a cryptographic cover of the body) (e.g. `"{timestamp}.{body}"`), or a function returning candidate contents as chunk lists.
   * Absent only for a signed envelope, whose fields are what is signed.
   */
  content?: string | ((context: ContentContext) => Promise<Chunk[][]> | Chunk[][]);
  /** How a configured secret string becomes key material. */
  key: KeyDecoder;
  id?: ValueSource;
  type?: ValueSource;
  /** Whether the signed content includes the request URL (Twilio). @default whether the template has `{url}` */
  signsUrl?: boolean;
  /** Content types the provider sends. @default ["application/json"] */
  contentTypes?: readonly string[];
  /**
   * Payload parser, given the body and the format the engine decided for it from the signed bytes
   * and `contentTypes` (`signedFormat`: a JSON object or array is JSON, anything else a form for a
   * scheme that takes forms) — never the request's unsigned Content-Type. The default parses that format.
   */
  parse?: (text: string, contentType: string | undefined) => unknown;
  handshake?: (delivery: Delivery) => HandshakeReply | undefined;
  /** See {@link Scheme.challenge}: an unsigned protocol handshake, answered before verification. */
  challenge?: Scheme["challenge"];
  /**
   * An unsigned handshake that hands over the secret later deliveries are signed with (Asana's
   * `X-Hook-Secret`). The engine, not the provider, decides whether it may: see {@link SecretHandshake}.
   */
  secretHandshake?: SecretHandshake;
  /**
   * A handshake the sender signs like a delivery and whose answer needs the key that verified it
   * (Zoom's `endpoint.url_validation`, answered with an HMAC under the matched secret). See
   * {@link SignedHandshake}.
   */
  signedHandshake?: SignedHandshake;
  /** See {@link Scheme.split}: one delivery per event of a batch. */
  split?: (delivery: Delivery) => Delivery[];
  /** See {@link SchemeFacts.deadline}: the sender's timeout and its deferred answer, as its docs give them. */
  deadline?: SchemeDeadline;
  /** See {@link Scheme.responses}. */
  responses?: Readonly<Partial<Record<string, number>>>;
  /** Extra headers the provider sends alongside the signature (e.g. Shopify's triggered-at). */
  signHeaders?: (input: { id: string; type: string | undefined; timestamp: Date }) => Record<string, string>;
  /** A sentence appended to signature-mismatch errors, given the configured secrets. */
  mismatchHint?: (secrets: readonly string[]) => string | undefined;
  /** A sentence appended to the missing-signature error, given the request headers (e.g. a legacy header that is off). */
  missingHint?: (headers: HeadersInput) => string | undefined;
}

/**
 * A handshake that establishes a secret, answered before verification. The engine lets it
 * establish one only where none is established yet: it asks the scheme's secrets (the secret
 * function, with the handshake's headers, URL and route params) first, and when they return any
 * secret — or static secrets are configured — it refuses the handshake with `handshake_refused`
 * (403) without calling `establish`. A handshake never replaces a secret, so whoever knows the URL
 * cannot swap a webhook's secret for their own and then sign deliveries.
 */
export interface SecretHandshake {
  /** How messages name it: `"X-Hook-Secret"`. */
  name: string;
  /** The secret the request carries if it is this handshake; `undefined`: not one, verify as usual. */
  read: (request: ChallengeRequest) => string | undefined;
  /** Keeps the secret (the user's callback); may throw to refuse it. */
  establish: (secret: string, request: ChallengeRequest) => void | Promise<void>;
  /** The answer to a handshake whose secret was established. */
  reply: (secret: string) => HandshakeReply;
}

/**
 * A signed handshake, answered as the scheme's `challenge`: a request `matches` picks out (before
 * any crypto, from its method and bytes) is verified like any delivery — a failure is the usual
 * refusal — and `reply` is given the verified delivery and the key that verified it, as an
 * argument (the key never travels on the delivery). `undefined` from either: not this handshake,
 * verify as usual.
 */
export interface SignedHandshake {
  matches: (request: ChallengeRequest) => boolean;
  reply: (
    delivery: Delivery,
    key: CryptoKeyMaterial,
  ) => HandshakeReply | undefined | Promise<HandshakeReply | undefined>;
}

/** Secrets as {@link defineScheme} takes them, plus an optional separate signing key. */
export interface SchemeKeys {
  /** The secrets that verify; none for a certificate scheme ({@link SchemeDefinition.certificate}). */
  secret?: SecretInput | undefined;
  /** Keys used only to sign (an Ed25519 private key where `secret` holds public keys). */
  signingKey?: SecretInput | undefined;
  signingKeyDecoder?: KeyDecoder | undefined;
  /** The option name to use in error messages. @default "secret" */
  optionName?: string | undefined;
}
