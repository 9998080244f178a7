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

/** A secret as configured: the value, or the value with an id for rotation bookkeeping. */
export type SecretEntry = string | { id: string; value: string };

/** One secret, or several during rotation (all are tried; the first signs). */
export type SecretInput = SecretEntry | readonly SecretEntry[];

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

/** A provider's signature scheme, configured with secrets: verifies requests and signs test ones. */
export interface Scheme {
  /** The scheme's name, e.g. `stripe`; part of every idempotency key. */
  readonly name: string;
  /** Content types the provider sends; others are answered 415 by a receiver. */
  readonly contentTypes: readonly string[];
  /** Verifies one request; throws a {@link WebhookError} when it does not check out. */
  verify(input: VerifyInput, options?: VerifyOptions): Promise<Delivery>;
  /** The exact headers the provider would send with this body, signed with the first secret. */
  sign(input: SignInput): Promise<Record<string, string>>;
  /**
   * A reply the provider expects to a handshake delivery (Slack `url_verification`, Discord
   * PING), answered after the signature checks out and without running handlers.
   */
  handshake?(delivery: Delivery): HandshakeReply | undefined;
}

/** A handshake answer: status 200 with this JSON body. */
export interface HandshakeReply {
  body: unknown;
}
