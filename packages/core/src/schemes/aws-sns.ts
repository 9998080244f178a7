import { WebhookError } from "../errors.js";
import { decodeUtf8, fromBase64, toBase64, toHex, utf8 } from "../internal/bytes.js";
import { type RsaPrivateKey, rsaSign, rsaVerify } from "../internal/crypto.js";
import {
  allowedHostUrl,
  type CertificateSourceSpec,
  canonicalCertificateUrl,
  certificateKeys,
} from "../scheme/certificate-source.js";
import { parseJson } from "../scheme/payload.js";
import { toRawBytes } from "../scheme/raw-bytes.js";
import { checkFreshness, parseTimestamp } from "../scheme/timestamps.js";
import { syncUnavailable } from "../scheme/verify-now-or-later.js";
import type {
  Delivery,
  HandshakeReply,
  Scheme,
  SchemeFacts,
  SecretInput,
  SignedRequest,
  SignInput,
  VerifyInput,
  VerifyOptions,
} from "../types.js";
import type { SchemeSigningOptions } from "./signing-options.js";

/** A subscription (or unsubscription) confirmation SNS sent, reported to `onSubscriptionConfirmation`. */
export interface SnsConfirmation {
  type: "SubscriptionConfirmation" | "UnsubscribeConfirmation";
  topicArn: string;
  /** Visiting it confirms the subscription (already checked to be an SNS host over https). */
  subscribeUrl: string;
  token: string;
  messageId: string;
}

/**
 * What signs test SNS messages ({@link Scheme.signRequest}): an RSA private key and the URL of its
 * certificate, which the receiver fetches through `fetchCertificate`.
 */
export interface SnsSigningKey {
  /** The RSA private key, PEM (PKCS#8, `-----BEGIN PRIVATE KEY-----`). */
  privateKey: string;
  /** Where the receiver finds the certificate: `https://<certificateHost>/SimpleNotificationService-<id>.pem`. */
  certificateUrl: string;
  /** SNS's `SignatureVersion`: 1 signs with SHA1, 2 with SHA256. @default "2" */
  signatureVersion?: "1" | "2";
}

/** Options for {@link awsSns}. */
export interface AwsSnsSchemeOptions {
  /**
   * The topic ARNs accepted. Any AWS account can make SNS post correctly signed messages to your
   * endpoint, so only messages from your topics count.
   */
  topicArn: string | readonly string[];
  /**
   * Fetches a signing certificate (PEM) by its canonical URL; it is given 5 s (then `signal`
   * aborts) and 16 KiB. Called at most once per URL at a time, for at most 10 new URLs a minute;
   * a certificate is kept once it verified a message. A rejection is remembered for that URL for
   * 10 minutes and answered 401; reject with an error whose `transient` is `true` (a timeout, a
   * 5xx) to answer 503 so SNS retries, remembered for 30 s.
   * @default fetch over https, no redirects, 5 s, 16 KiB
   */
  fetchCertificate?: (url: string, init: { signal: AbortSignal }) => Promise<string>;
  /** Hosts a `SigningCertURL` or `SubscribeURL` may name. @default /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/ */
  certificateHost?: RegExp;
  /** Called with each verified subscription confirmation (answered 200, no handler runs). */
  onSubscriptionConfirmation?: (confirmation: SnsConfirmation) => void;
  /**
   * Confirm subscriptions by visiting `SubscribeURL` (GET, on an allowed host). Off by default: a
   * subscription is confirmed only when you opt in, or by calling the URL yourself from the callback.
   * @default false
   */
  confirmSubscriptions?: boolean;
  /** Runs the confirmation request; for tests and proxies. @default fetch */
  fetch?: (url: string) => Promise<unknown>;
  /**
   * Signs test messages with `signRequest`, as SNS would with its certificate; the receiver's
   * `fetchCertificate` must return the matching certificate for `certificateUrl`. Verification
   * does not use it.
   */
  signingKey?: SnsSigningKey;
}

interface SnsMessage {
  Type?: unknown;
  MessageId?: unknown;
  TopicArn?: unknown;
  Subject?: unknown;
  Message?: unknown;
  Timestamp?: unknown;
  SignatureVersion?: unknown;
  Signature?: unknown;
  SigningCertURL?: unknown;
  SubscribeURL?: unknown;
  Token?: unknown;
}

const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;
// Where SNS keeps its signing certificates: https://sns.<region>.amazonaws.com/SimpleNotificationService-<hex>.pem
const CERTIFICATE_PATH = /^\/SimpleNotificationService-[A-Za-z0-9-]{1,100}\.pem$/;
const MAX_PRIVATE_KEYS = 32;
// Every field but Message is one line: the canonical string separates fields with "\n".
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f]/;
const NOTIFICATION_FIELDS = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"] as const;
const CONFIRMATION_FIELDS = [
  "Message",
  "MessageId",
  "SubscribeURL",
  "Timestamp",
  "Token",
  "TopicArn",
  "Type",
] as const;
const TYPES = new Set(["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"]);

const mismatch = (message: string) => new WebhookError("signature_mismatch", `hookgate: ${message}`);

function allowedUrl(value: unknown, host: RegExp, what: string): string {
  const url = allowedHostUrl(value, host);
  if (url === undefined) {
    throw mismatch(
      `the SNS ${what} ${JSON.stringify(value)} is not an https URL on an SNS host; refused unfetched`,
    );
  }
  return url;
}

/** Where SNS keeps its signing certificates, as a certificate source. */
const snsCertificates = (host: RegExp, fetch: CertificateSourceSpec["fetch"]): CertificateSourceSpec => ({
  provider: "SNS",
  urlName: "SigningCertURL",
  host,
  path: CERTIFICATE_PATH,
  form: "https://sns.<region>.amazonaws.com/SimpleNotificationService-<id>.pem",
  fetch,
});

/**
 * The string SNS signs: each present field's name and value on their own lines, in this order.
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message-verify-message-signature.html)
 */
function canonical(message: SnsMessage): string {
  const fields = message.Type === "Notification" ? NOTIFICATION_FIELDS : CONFIRMATION_FIELDS;
  let out = "";
  for (const name of fields) {
    const value = message[name];
    if (value === undefined && name === "Subject") continue;
    if (typeof value !== "string")
      throw new WebhookError("invalid_payload", `hookgate: the SNS message has no ${name}`);
    // A line break in any other field would let one field's value pose as the next field
    // ("MessageId\n<id>\nSubject\n<s>" is one MessageId or an id and a Subject), so a captured
    // message could be re-sent under another MessageId. SNS never sends one: Subjects have "no
    // line breaks or control characters" (Publish API), the rest are ids, ARNs, URLs and times.
    if (name !== "Message" && CONTROL.test(value)) {
      throw new WebhookError(
        "invalid_payload",
        `hookgate: the SNS ${name} contains a line break or control character, which SNS never sends; refused`,
      );
    }
    out += `${name}\n${value}\n`;
  }
  return out;
}

/**
 * Amazon SNS HTTP(S) subscriptions: the message's `Signature` (RSA, SHA1 for `SignatureVersion` 1,
 * SHA256 for 2) over its canonical fields, checked with the certificate at `SigningCertURL` —
 * fetched only from an SNS host over https, through `fetchCertificate`, and cached. Only the
 * configured `topicArn`s are accepted; freshness comes from the signed `Timestamp` (SNS retries
 * within its delivery policy: raise `tolerance` for long ones). The id is `MessageId`, the type the
 * message `Type` (`Notification`); a `SubscriptionConfirmation` goes to `onSubscriptionConfirmation`
 * and is confirmed only with `confirmSubscriptions: true`. SNS signs inside the body: test
 * messages come from `signRequest`, which wraps the body given (the `Message`) in a signed
 * envelope with your own `signingKey` (there is no header `sign`).
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html)
 *
 * @example
 * const scheme = schemes.awsSns({
 *   topicArn: "arn:aws:sns:us-east-1:123456789012:orders",
 *   fetchCertificate: async () => testCertificatePem,
 *   signingKey: { privateKey: testPrivateKeyPem, certificateUrl: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-test.pem" },
 * });
 * const { headers, rawBody } = await scheme.signRequest({ rawBody: JSON.stringify({ orderId: 42 }) });
 */
export function awsSns(options: AwsSnsSchemeOptions): Scheme {
  const topics = new Set(
    typeof options.topicArn === "string" ? [options.topicArn] : (options.topicArn ?? []),
  );
  if (topics.size === 0) {
    throw new WebhookError(
      "invalid_option",
      "hookgate: schemes.awsSns needs `topicArn`: the ARN(s) of your topics",
    );
  }
  const host = options.certificateHost ?? SNS_HOST;
  const certificates = certificateKeys(snsCertificates(host, options.fetchCertificate));

  async function verify(input: VerifyInput, verifyOptions?: VerifyOptions): Promise<Delivery> {
    const rawBody = toRawBytes(input.rawBody);
    const text = decodeUtf8(rawBody);
    if (text === undefined)
      throw new WebhookError("invalid_payload", "hookgate: the body is not valid UTF-8");
    const message = parseJson(text) as SnsMessage;
    if (message === null || typeof message !== "object" || typeof message.Signature !== "string") {
      throw new WebhookError(
        "missing_signature",
        "hookgate: the body is not a signed SNS message (no Signature)",
      );
    }
    const hash =
      message.SignatureVersion === "1" ? "sha1" : message.SignatureVersion === "2" ? "sha256" : undefined;
    const signature = fromBase64(message.Signature);
    if (!hash || !signature || !TYPES.has(message.Type as string)) {
      throw new WebhookError(
        "malformed_signature",
        "hookgate: the SNS message has an unknown Type, SignatureVersion or Signature encoding",
      );
    }
    if (typeof message.TopicArn !== "string" || !topics.has(message.TopicArn)) {
      throw mismatch(
        `the SNS topic ${JSON.stringify(message.TopicArn)} is not one of the configured topicArn`,
      );
    }
    if (typeof message.Timestamp !== "string")
      throw new WebhookError("invalid_payload", "hookgate: the SNS message has no Timestamp");
    const timestampMs = parseTimestamp(message.Timestamp, "iso", "the SNS Timestamp");
    checkFreshness(timestampMs, verifyOptions);
    const content = canonical(message);
    const certUrl = certificates.canonical(message.SigningCertURL);
    const key = await certificates.keyFor(certUrl);
    if (!(await rsaVerify(hash, key, [content], signature))) {
      throw mismatch("the SNS Signature does not match the message and its signing certificate");
    }
    certificates.prove(certUrl, key);
    if (message.Type !== "Notification") allowedUrl(message.SubscribeURL, host, "SubscribeURL");
    const delivery: Delivery = {
      id: String(message.MessageId),
      type: String(message.Type),
      timestamp: new Date(timestampMs),
      payload: message,
      rawBody,
      scheme: "aws-sns",
      matchedSecret: { index: 0 },
    };
    return delivery;
  }

  function handshake(delivery: Delivery): HandshakeReply | undefined {
    const message = delivery.payload as SnsMessage;
    if (message.Type === "Notification") return undefined;
    const confirmation: SnsConfirmation = {
      type: message.Type as SnsConfirmation["type"],
      topicArn: String(message.TopicArn),
      subscribeUrl: String(message.SubscribeURL),
      token: String(message.Token),
      messageId: String(message.MessageId),
    };
    options.onSubscriptionConfirmation?.(confirmation);
    if (options.confirmSubscriptions && confirmation.type === "SubscriptionConfirmation") {
      const visit = options.fetch ?? ((url: string) => fetch(url, { redirect: "error" }));
      // SNS needs no answer but 200 now; the confirmation GET runs on its own.
      void Promise.resolve()
        .then(() => visit(allowedUrl(confirmation.subscribeUrl, host, "SubscribeURL")))
        .catch(() => undefined);
    }
    return { body: { confirmation: confirmation.type } };
  }

  const facts: SchemeFacts = {
    id: { payload: ["MessageId"] },
    type: { payload: ["Type"] },
    contentTypes: ["text/plain", "application/json"],
    envelope: "Message",
    certificate: { field: "SigningCertURL", form: snsCertificates(host, undefined).form },
    bodySignature: { json: "", field: "Signature", each: false },
    signsUrl: false,
    timestamp: { signature: true, unit: "iso" },
    algorithms: ["rsa-sha1", "rsa-sha256"],
    signatureHeaders: [],
    // The signature covers the canonical message (its fields), not the body's exact bytes.
    bodySigned: true,
    credentialHeaders: [],
    // AWS's certificates: nothing secret to derive a seal from.
    keys: "public",
    idSigned: true,
  };
  const scheme: Scheme = {
    name: "aws-sns",
    facts,
    verify,
    verifySync: () => {
      throw syncUnavailable("aws-sns", "its key is a certificate the message names, fetched on first use");
    },
    handshake,
    withSigningKey: (key) => awsSns({ ...options, signingKey: withPrivateKey(options.signingKey, key) }),
    signRequest: (input) => signSns(input, options.signingKey, [...topics][0]!, host),
  };
  return scheme;
}

function withPrivateKey(signingKey: SnsSigningKey | undefined, key: SecretInput): SnsSigningKey {
  if (typeof key !== "string") {
    throw new WebhookError(
      "invalid_option",
      "hookgate: awsSns withSigningKey takes one RSA private key, PEM",
    );
  }
  if (!signingKey) {
    throw new WebhookError(
      "invalid_option",
      "hookgate: awsSns withSigningKey needs the scheme's signingKey.certificateUrl; configure signingKey first",
    );
  }
  return { ...signingKey, privateKey: key };
}

const SNS_TYPES = ["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"] as const;
const privateKeys = new Map<string, RsaPrivateKey>();

function rsaPrivateKey(pem: string): RsaPrivateKey {
  let key = privateKeys.get(pem);
  if (!key) {
    const match = /-----BEGIN PRIVATE KEY-----([\s\S]+?)-----END PRIVATE KEY-----/.exec(pem);
    const pkcs8 = match ? fromBase64(match[1]!.replace(/\s+/g, "")) : undefined;
    if (!pkcs8) {
      throw new WebhookError(
        "invalid_secret",
        `hookgate: the awsSns signingKey.privateKey is not a PEM PKCS#8 key (-----BEGIN PRIVATE KEY-----)${/BEGIN RSA PRIVATE KEY/.test(pem) ? "; convert it: openssl pkcs8 -topk8 -nocrypt -in key.pem" : ""}`,
      );
    }
    key = { kind: "rsa-private", pkcs8 };
    if (privateKeys.size >= MAX_PRIVATE_KEYS) privateKeys.clear();
    privateKeys.set(pem, key);
  }
  return key;
}

const randomHex = (bytes: number) => toHex(globalThis.crypto.getRandomValues(new Uint8Array(bytes)));

/**
 * An SNS message as SNS posts it, with the fields in the order of AWS's examples: a
 * `Notification` carrying the body as its `Message`, or with `type: "SubscriptionConfirmation"`
 * (or `UnsubscribeConfirmation`) a confirmation whose `SubscribeURL` is on the certificate's host.
 * (https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html,
 * https://docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html)
 */
async function signSns(
  input: SignInput,
  signingKey: SnsSigningKey | undefined,
  topicArn: string,
  host: RegExp,
): Promise<SignedRequest> {
  if (!signingKey) {
    throw new WebhookError(
      "invalid_option",
      "hookgate: schemes.awsSns signs test messages with `signingKey: { privateKey, certificateUrl }` (an RSA key and the URL your fetchCertificate serves its certificate at)",
    );
  }
  let certificateUrl: string;
  try {
    certificateUrl = canonicalCertificateUrl(snsCertificates(host, undefined), signingKey.certificateUrl);
  } catch {
    throw new WebhookError(
      "invalid_option",
      `hookgate: the awsSns signingKey.certificateUrl ${JSON.stringify(signingKey.certificateUrl)} must be https://<certificateHost>/SimpleNotificationService-<id>.pem (sns.<region>.amazonaws.com, no port, query or fragment), or the receiver refuses it unfetched`,
    );
  }
  const type = input.type ?? "Notification";
  if (!(SNS_TYPES as readonly string[]).includes(type)) {
    throw new WebhookError(
      "invalid_option",
      `hookgate: an SNS message's type is ${SNS_TYPES.join(", ")}, not ${JSON.stringify(type)}`,
    );
  }
  const text = decodeUtf8(toRawBytes(input.rawBody));
  if (text === undefined) throw new WebhookError("invalid_payload", "hookgate: the body is not valid UTF-8");
  const origin = new URL(certificateUrl).origin;
  const messageId = input.id ?? globalThis.crypto.randomUUID();
  const timestamp = (input.timestamp ?? new Date()).toISOString();
  let fields: Record<string, string>;
  if (type === "Notification") {
    fields = { Type: type, MessageId: messageId, TopicArn: topicArn, Message: text, Timestamp: timestamp };
  } else {
    const token = randomHex(64);
    fields = {
      Type: type,
      MessageId: messageId,
      Token: token,
      TopicArn: topicArn,
      Message:
        text ||
        (type === "SubscriptionConfirmation"
          ? `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`
          : `You have chosen to deactivate subscription ${topicArn}:${globalThis.crypto.randomUUID()}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`),
      SubscribeURL: `${origin}/?Action=ConfirmSubscription&TopicArn=${topicArn}&Token=${token}`,
      Timestamp: timestamp,
    };
  }
  const version = signingKey.signatureVersion ?? "2";
  const signature = await rsaSign(version === "1" ? "sha1" : "sha256", rsaPrivateKey(signingKey.privateKey), [
    canonical(fields),
  ]);
  const message: Record<string, string> = {
    ...fields,
    SignatureVersion: version,
    Signature: toBase64(signature),
    SigningCertURL: certificateUrl,
  };
  if (type === "Notification") {
    message.UnsubscribeURL = `${origin}/?Action=Unsubscribe&SubscriptionArn=${topicArn}:${globalThis.crypto.randomUUID()}`;
  }
  // The headers SNS sends beside the body (https://docs.aws.amazon.com/sns/latest/dg/http-header.html).
  const headers: Record<string, string> = {
    "content-type": "text/plain; charset=UTF-8",
    "x-amz-sns-message-type": type,
    "x-amz-sns-message-id": messageId,
    "x-amz-sns-topic-arn": topicArn,
  };
  return { headers, rawBody: utf8(JSON.stringify(message, null, 2)) };
}
/** SNS is configured by its topics, and signs with an RSA key whose certificate is at a URL. */
awsSns.signingOptions = ["topicArn", "certificateUrl"] as const;
/** A scheme that signs test messages with `privateKey` (PEM) for `schemeForSecret`. */
awsSns.fromSigningSecret = (privateKey: string, options: SchemeSigningOptions): Scheme =>
  awsSns({
    topicArn: options.topicArn!,
    signingKey: { privateKey, certificateUrl: options.certificateUrl! },
  });
