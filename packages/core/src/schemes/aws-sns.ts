import { WebhookError } from "../errors.js";
import { toHex } from "../internal/bytes.js";
import { rsaPrivateKeyPem } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { EnvelopeInput, SchemeCertificate } from "../scheme/definition.js";
import { checkEnvelopeUrl } from "../scheme/signed-envelope.js";
import type { Delivery, HandshakeReply, Scheme } from "../types.js";
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

const NOTIFICATION = ["Message", "MessageId", "Subject?", "Timestamp", "TopicArn", "Type"];
const CONFIRMATION = ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
const randomHex = (bytes: number) => toHex(globalThis.crypto.getRandomValues(new Uint8Array(bytes)));

/** Where SNS keeps its signing certificates: https://sns.<region>.amazonaws.com/SimpleNotificationService-<hex>.pem */
const certificate = (host: RegExp, fetch: AwsSnsSchemeOptions["fetchCertificate"]): SchemeCertificate => ({
  field: "SigningCertURL",
  provider: "SNS",
  urlName: "SigningCertURL",
  host,
  path: /^\/SimpleNotificationService-[A-Za-z0-9-]{1,100}\.pem$/,
  form: "https://sns.<region>.amazonaws.com/SimpleNotificationService-<id>.pem",
  fetch,
});

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
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html,
 * https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message-verify-message-signature.html)
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
  const topics = typeof options.topicArn === "string" ? [options.topicArn] : [...(options.topicArn ?? [])];
  if (topics.length === 0) {
    throw new WebhookError(
      "invalid_option",
      "hookgate: schemes.awsSns needs `topicArn`: the ARN(s) of your topics",
    );
  }
  const host = options.certificateHost ?? /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;
  const { signingKey } = options;
  const scheme = defineScheme(
    {
      name: "aws-sns",
      envelope: {
        message: "Message",
        type: "Type",
        signed: {
          Notification: NOTIFICATION,
          SubscriptionConfirmation: CONFIRMATION,
          UnsubscribeConfirmation: CONFIRMATION,
        },
        signature: "Signature",
        algorithm: { field: "SignatureVersion", values: { "1": "rsa-sha1", "2": "rsa-sha256" } },
        allow: { field: "TopicArn", values: topics, option: "topicArn" },
        urls: ["SubscribeURL"],
        signing: signingKey && {
          certificateUrl: signingKey.certificateUrl,
          algorithm: signingKey.signatureVersion ?? "2",
        },
        compose: (input) => composeMessage(input, topics[0]!),
      },
      certificate: certificate(host, options.fetchCertificate),
      timestamp: { field: "Timestamp", unit: "iso" },
      key: rsaPrivateKeyPem,
      id: { payload: "MessageId" },
      type: { payload: "Type" },
      contentTypes: ["text/plain", "application/json"],
      handshake: (delivery) => confirm(delivery, options, host),
    },
    // Decoded when signing, so a key in the wrong form is refused by `signRequest`, not here (a PEM
    // file ends with a line break: it is not part of the key).
    { signingKey: signingKey ? () => signingKey.privateKey.trim() : undefined },
  );
  scheme.withSigningKey = (key) => {
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
    return awsSns({ ...options, signingKey: { ...signingKey, privateKey: key } });
  };
  return scheme;
}

/** Reports a verified (un)subscription confirmation, and visits its `SubscribeURL` when opted in. */
function confirm(delivery: Delivery, options: AwsSnsSchemeOptions, host: RegExp): HandshakeReply | undefined {
  const message = delivery.payload as Record<string, string>;
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
      .then(() =>
        visit(checkEnvelopeUrl(certificate(host, undefined), "SubscribeURL", confirmation.subscribeUrl)),
      )
      .catch(() => undefined);
  }
  return { body: { confirmation: confirmation.type } };
}

/**
 * An SNS message as SNS posts it, with the fields in the order of AWS's examples: a
 * `Notification` carrying the body as its `Message`, or a confirmation whose `SubscribeURL` is on
 * the certificate's host; the headers SNS sends beside it.
 * (https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html,
 * https://docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html,
 * https://docs.aws.amazon.com/sns/latest/dg/http-header.html)
 */
function composeMessage(input: EnvelopeInput, topicArn: string) {
  const { type, id, message } = input;
  const timestamp = input.timestamp.toISOString();
  const origin = new URL(input.certificateUrl).origin;
  const headers = {
    "content-type": "text/plain; charset=UTF-8",
    "x-amz-sns-message-type": type,
    "x-amz-sns-message-id": id,
    "x-amz-sns-topic-arn": topicArn,
  };
  if (type === "Notification") {
    const unsubscribe = `${origin}/?Action=Unsubscribe&SubscriptionArn=${topicArn}:${globalThis.crypto.randomUUID()}`;
    return {
      fields: { Type: type, MessageId: id, TopicArn: topicArn, Message: message, Timestamp: timestamp },
      after: { UnsubscribeURL: unsubscribe },
      headers,
    };
  }
  const token = randomHex(64);
  const fields = {
    Type: type,
    MessageId: id,
    Token: token,
    TopicArn: topicArn,
    Message:
      message ||
      (type === "SubscriptionConfirmation"
        ? `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`
        : `You have chosen to deactivate subscription ${topicArn}:${globalThis.crypto.randomUUID()}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`),
    SubscribeURL: `${origin}/?Action=ConfirmSubscription&TopicArn=${topicArn}&Token=${token}`,
    Timestamp: timestamp,
  };
  return { fields, headers };
}

/** SNS is configured by its topics, and signs with an RSA key whose certificate is at a URL. */
awsSns.signingOptions = ["topicArn", "certificateUrl"] as const;
/** A scheme that signs test messages with `privateKey` (PEM) for `schemeForSecret`. */
awsSns.fromSigningSecret = (privateKey: string, options: SchemeSigningOptions): Scheme =>
  awsSns({
    topicArn: options.topicArn!,
    signingKey: { privateKey, certificateUrl: options.certificateUrl! },
  });
