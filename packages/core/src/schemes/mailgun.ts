import { WebhookError } from "../errors.js";
import { decodeUtf8, fromHex } from "../internal/bytes.js";
import { hmac, timingSafeEqual } from "../internal/crypto.js";
import { getHeader } from "../internal/headers.js";
import { utf8Key } from "../internal/secrets.js";
import { isForm, parseForm, parseJson } from "../scheme/payload.js";
import { secretSource } from "../scheme/secret-source.js";
import { checkFreshness, parseTimestamp } from "../scheme/timestamps.js";
import type { Delivery, Scheme, SchemeFacts, SecretInput, VerifyInput, VerifyOptions } from "../types.js";

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

/**
 * Mailgun: the signature travels in the body — `signature: { timestamp, token, signature }` in
 * JSON webhooks, top-level fields in form-encoded ones — as hex HMAC-SHA256 of `${timestamp}${token}`
 * keyed by the webhook signing key. Mailgun signs only the timestamp and token, not the event: the
 * delivery id is the `token` (single-use, so a replay is a duplicate) and the freshness check
 * bounds how long it can be replayed. Typed by `event-data.event` (`delivered`). An invalid body
 * is answered 406, which Mailgun reads as "do not retry". Mailgun signs inside the body: `sign`
 * is not available. (https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/securing-webhooks)
 */
export function mailgun(options: MailgunSchemeOptions): Scheme {
  const secrets = secretSource(options.secret, "mailgun", utf8Key);

  async function verify(input: VerifyInput, verifyOptions?: VerifyOptions): Promise<Delivery> {
    const rawBody =
      typeof input.rawBody === "string" ? new TextEncoder().encode(input.rawBody) : input.rawBody;
    const text = decodeUtf8(rawBody);
    if (text === undefined)
      throw new WebhookError("invalid_payload", "hookgate: the body is not valid UTF-8");
    const contentType = getHeader(input.headers, "content-type");
    const payload: Record<string, unknown> = isForm(contentType)
      ? parseForm(text)
      : (parseJson(text) as Record<string, unknown>);
    const fields = (isForm(contentType) ? payload : payload?.signature) as MailgunSignature | undefined;
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
      return {
        id: token,
        type: typeof type === "string" ? type : "",
        timestamp: new Date(timestampMs),
        payload,
        rawBody,
        scheme: "mailgun",
        matchedSecret:
          secret.id === undefined ? { index: secret.index } : { index: secret.index, id: secret.id },
      };
    }
    throw new WebhookError(
      "signature_mismatch",
      "hookgate: no configured mailgun signing key produces the body's signature (wrong key: use the HTTP webhook signing key, not the API key)",
    );
  }

  const facts: SchemeFacts = {
    id: { payload: ["signature.token"] },
    type: { payload: ["event-data.event"] },
    contentTypes: ["application/json", FORM],
    signsUrl: false,
    signatureHeaders: [],
    // Mailgun signs its timestamp and a one-time token, not the event beside them.
    bodySigned: false,
    idSigned: true,
  };
  const scheme: Scheme = {
    name: "mailgun",
    contentTypes: facts.contentTypes,
    facts,
    verify,
    // Mailgun retries anything but 200 and 406 (https://documentation.mailgun.com/docs/mailgun/user-manual/webhooks/webhooks): a 406
    // answer stops the retries; a body that cannot be read will never be readable.
    responses: { invalid_payload: 406, schema_validation_failed: 406 },
    withSigningKey: () => scheme,
    sign: () =>
      Promise.reject(
        new WebhookError(
          "invalid_option",
          "hookgate: Mailgun signs inside the body; hookgate cannot sign Mailgun deliveries",
        ),
      ),
  };
  return scheme;
}
/** Mailgun signs inside the body: it cannot sign test deliveries from a secret alone. */
mailgun.needsOptions = true as const;
