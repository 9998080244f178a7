import type { Chunk, HmacHash } from "../internal/crypto.js";
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
  header: string;
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
  | { field: string; unit: "s" | "ms" };

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
  /** Keys from a certificate the request names, instead of configured secrets (PayPal). */
  certificate?: SchemeCertificate;
  timestamp?: TimestampSpec;
  /** Where the event's creation time is, where the provider signs one (see {@link EventTimeSpec}). */
  eventTime?: EventTimeSpec;
  /**
   * The signed content: a template over `{id}`, `{timestamp}`, `{body}`, `{url}` and the fields
   * of a body-carried signature, `{field:token}`, and `{crc32}`, the body's CRC-32 in decimal
   * (PayPal; not a cryptographic cover of the body) (e.g. `"{timestamp}.{body}"`), or a function returning candidate contents as chunk lists.
   */
  content: string | ((context: ContentContext) => Promise<Chunk[][]> | Chunk[][]);
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
