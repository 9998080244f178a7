import { WebhookError } from "../errors.js";
import { decodeUtf8, fromHex, toHex, utf8 } from "../internal/bytes.js";
import { hmac, timingSafeEqual } from "../internal/crypto.js";
import { type DecodedSecret, utf8Key } from "../internal/secrets.js";
import { isForm, parseAs, parseJson, signedFormat } from "../scheme/payload.js";
import { toRawBytes } from "../scheme/raw-bytes.js";
import { secretSource } from "../scheme/secret-source.js";
import { checkFreshness, parseTimestamp } from "../scheme/timestamps.js";
import { attachVerifiedSignature } from "../scheme/verified-signature.js";
import { syncUnavailable } from "../scheme/verify-now-or-later.js";
import type {
  Delivery,
  Scheme,
  SchemeFacts,
  SecretInput,
  SignedRequest,
  SignInput,
  VerifyInput,
  VerifyOptions,
} from "../types.js";

/** Options for {@link mailgun}. */
export interface MailgunSchemeOptions {
  /** The domain's HTTP webhook signing key, or several during rotation. */
  secret: SecretInput;
}

interface MailgunSignature {
  timestamp?: unknown;
  token?: unknown;
  signature?: unknown;
}

const FORM = "application/x-www-form-urlencoded";
const CONTENT_TYPES = ["application/json", FORM] as const;

/**
 * Mailgun: the signature travels in the body — `signature: { timestamp, token, signature }` in
 * JSON webhooks, top-level fields in form-encoded ones — as hex HMAC-SHA256 of `${timestamp}${token}`
 * keyed by the webhook signing key. Mailgun signs only the timestamp and token, not the event: the
 * delivery id is the `token` (single-use, so a replay is a duplicate) and the freshness check
 * bounds how long it can be replayed. Typed by `event-data.event` (`delivered`). An invalid body
 * is answered 406, which Mailgun reads as "do not retry". Mailgun signs inside the body, so test
 * deliveries come from `signRequest`, which writes the signature into the body (`sign` rejects).
 * (https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks)
 *
 * @example
 * const { headers, rawBody } = await schemes.mailgun({ secret }).signRequest({
 *   rawBody: JSON.stringify({ "event-data": { event: "delivered", recipient: "a@example.com" } }),
 * });
 */
export function mailgun(options: MailgunSchemeOptions): Scheme {
  return mailgunScheme(options, options.secret);
}

function mailgunScheme(options: MailgunSchemeOptions, signingKey: SecretInput): Scheme {
  const secrets = secretSource(options.secret, "mailgun", utf8Key);
  const signingKeys =
    signingKey === options.secret ? secrets : secretSource(signingKey, "mailgun", utf8Key, "signingKey");

  async function verify(input: VerifyInput, verifyOptions?: VerifyOptions): Promise<Delivery> {
    const rawBody = toRawBytes(input.rawBody);
    const text = decodeUtf8(rawBody);
    if (text === undefined)
      throw new WebhookError("invalid_payload", "hookgate: the body is not valid UTF-8");
    // Read before the signature is checked (it travels inside the body): the format comes from the
    // bytes, never the unsigned Content-Type, and parsing is linear and bounded (`parseAs`).
    const form = isForm(signedFormat(text, CONTENT_TYPES));
    const payload = parseAs(text, form ? FORM : "application/json") as Record<string, unknown>;
    const fields = (form ? payload : payload?.signature) as MailgunSignature | undefined;
    const { timestamp, token, signature } = fields ?? {};
    if (typeof signature !== "string" || typeof token !== "string" || typeof timestamp !== "string") {
      throw new WebhookError(
        "missing_signature",
        "hookgate: the body carries no Mailgun signature (signature.timestamp, .token and .signature)",
      );
    }
    const expected = fromHex(signature);
    if (expected?.length !== 32 || token.length > 256) {
      throw new WebhookError(
        "malformed_signature",
        "hookgate: the Mailgun signature is not 64 hex characters",
      );
    }
    const timestampMs = parseTimestamp(timestamp, "s", "the Mailgun signature timestamp");
    checkFreshness(timestampMs, verifyOptions);
    const keys = typeof secrets === "function" ? await secrets(input) : secrets;
    for (const secret of keys) {
      if (secret.key.kind !== "hmac") continue;
      if (!timingSafeEqual(await hmac("sha256", secret.key, [timestamp, token]), expected)) continue;
      const eventData = payload["event-data"] as { event?: unknown } | undefined;
      const type = typeof eventData?.event === "string" ? eventData.event : payload.event;
      const delivery: Delivery = {
        id: token,
        type: typeof type === "string" ? type : "",
        timestamp: new Date(timestampMs),
        payload,
        rawBody,
        scheme: "mailgun",
        matchedSecret:
          secret.id === undefined ? { index: secret.index } : { index: secret.index, id: secret.id },
      };
      // The key and the secrets that verified it: what the receiver's tenant identity and seal use.
      attachVerifiedSignature(delivery, undefined, secret.key, keys);
      return delivery;
    }
    throw new WebhookError(
      "signature_mismatch",
      "hookgate: no configured mailgun signing key produces the body's signature (wrong key: use the HTTP webhook signing key, not the API key)",
    );
  }

  const facts: SchemeFacts = {
    id: { payload: ["signature.token"] },
    type: { payload: ["event-data.event"] },
    contentTypes: CONTENT_TYPES,
    signsUrl: false,
    timestamp: { signature: true, unit: "s" },
    algorithms: ["sha256"],
    signatureHeaders: [],
    // Mailgun signs its timestamp and a one-time token, not the event beside them.
    bodySigned: false,
    credentialHeaders: [],
    keys: "secret",
    idSigned: true,
  };
  const scheme: Scheme = {
    name: "mailgun",
    facts,
    verify,
    verifySync: () => {
      throw syncUnavailable("mailgun", "it verifies only asynchronously");
    },
    // Mailgun retries anything but 200 and 406 (https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/webhooks): a 406
    // answer stops the retries; a body that cannot be read will never be readable.
    responses: { invalid_payload: 406, schema_validation_failed: 406 },
    withSigningKey: (key) => mailgunScheme(options, key),
    sign: () =>
      Promise.reject(
        new WebhookError(
          "invalid_option",
          "hookgate: Mailgun signs inside the body, so there are no signature headers to return; use scheme.signRequest(input), which returns the headers and the signed body to send",
        ),
      ),
    signRequest: async (input) => {
      const keys = typeof signingKeys === "function" ? await signingKeys(signingInput(input)) : signingKeys;
      return signMailgun(input, keys);
    },
  };
  return scheme;
}

const signingInput = (input: SignInput): VerifyInput => ({
  headers: {},
  rawBody: input.rawBody,
  url: input.url,
});

/**
 * Writes Mailgun's signature into the body: a JSON event gets `signature: { timestamp, token,
 * signature }` first, as Mailgun sends it; a form body gets `timestamp`, `token` and `signature`
 * fields appended. The token is the delivery id (Mailgun's is 50 random hex characters).
 */
async function signMailgun(input: SignInput, keys: readonly DecodedSecret[]): Promise<SignedRequest> {
  const key = keys[0]?.key;
  if (key?.kind !== "hmac") {
    throw new WebhookError(
      "invalid_secret",
      `hookgate: the mailgun secret function returned no signing key for ${input.url ?? "a request without a url"}; pass a url it knows, or sign with scheme.withSigningKey(key)`,
    );
  }
  const text = decodeUtf8(toRawBytes(input.rawBody));
  if (text === undefined) throw new WebhookError("invalid_payload", "hookgate: the body is not valid UTF-8");
  const token = input.id ?? toHex(globalThis.crypto.getRandomValues(new Uint8Array(25)));
  const timestamp = String(Math.floor((input.timestamp ?? new Date()).getTime() / 1000));
  const signature = toHex(await hmac("sha256", key, [timestamp, token]));
  const form = input.contentType ? isForm(input.contentType) : !/^\s*\{/.test(text);
  if (form) {
    const fields = new URLSearchParams(text);
    for (const name of ["timestamp", "token", "signature"]) fields.delete(name);
    fields.append("timestamp", timestamp);
    fields.append("token", token);
    fields.append("signature", signature);
    return { headers: { "content-type": FORM }, rawBody: utf8(fields.toString()) };
  }
  const event = text.trim() === "" ? {} : parseJson(text);
  if (event === null || typeof event !== "object" || Array.isArray(event)) {
    throw new WebhookError(
      "invalid_payload",
      'hookgate: a Mailgun JSON body is an object ({ "event-data": { … } }); the signature is written into it',
    );
  }
  const fields = JSON.stringify({ timestamp, token, signature });
  const { signature: replaced, ...rest } = event as Record<string, unknown>;
  // The event's own bytes are kept where they can be: the signature goes in front of them.
  const body =
    replaced === undefined && Object.keys(rest).length > 0
      ? `{"signature":${fields},${text.trimStart().slice(1)}`
      : JSON.stringify({ signature: JSON.parse(fields), ...rest });
  return { headers: { "content-type": "application/json" }, rawBody: utf8(body) };
}
