import { WebhookError } from "../errors.js";
import { isForm, parseForm, parseJson, parsePayload } from "../scheme/payload.js";
import type { SecretInput } from "../types.js";

/** Options of a scheme that one secret configures (Razorpay, WooCommerce, …). */
export interface SecretSchemeOptions {
  /** The webhook's signing secret, or several during rotation. */
  secret: SecretInput;
}

function embeddedJson(payload: string): unknown {
  try {
    return JSON.parse(payload);
  } catch (cause) {
    throw new WebhookError("invalid_payload", "hookgate: the form's payload field is not valid JSON", {
      cause,
    });
  }
}

/**
 * JSON, or a form whose `payload` field holds the JSON (Slack interactivity); other forms (Slack
 * slash commands) stay as their fields.
 */
export function parseEmbeddedPayload(text: string, contentType: string | undefined): unknown {
  const parsed = parsePayload(text, contentType);
  if (!isForm(contentType)) return parsed;
  const { payload } = parsed as Record<string, unknown>;
  return typeof payload === "string" ? embeddedJson(payload) : parsed;
}

/**
 * GitHub's two content types: JSON, or a form that is exactly one `payload` field holding the JSON.
 * Any other form is refused, so a `payload=` inside a signed JSON field can never become the payload.
 */
export function parseGithubPayload(text: string, contentType: string | undefined): unknown {
  if (!isForm(contentType)) return parseJson(text);
  const fields = parseForm(text);
  const names = Object.keys(fields);
  const { payload } = fields;
  if (names.length !== 1 || typeof payload !== "string") {
    throw new WebhookError(
      "invalid_payload",
      "hookgate: a form-encoded GitHub delivery is exactly one payload field holding the JSON",
    );
  }
  return embeddedJson(payload);
}
