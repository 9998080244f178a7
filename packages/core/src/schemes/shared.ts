import { WebhookError } from "../errors.js";
import { isForm, parsePayload } from "../scheme/payload.js";

/**
 * JSON, or a form whose `payload` field holds the JSON (Slack interactivity, GitHub's form
 * content type); other forms (Slack slash commands, Twilio) stay as their fields.
 */
export function parseEmbeddedPayload(text: string, contentType: string | undefined): unknown {
  const parsed = parsePayload(text, contentType);
  if (!isForm(contentType)) return parsed;
  const { payload } = parsed as Record<string, unknown>;
  if (typeof payload !== "string") return parsed;
  try {
    return JSON.parse(payload);
  } catch (cause) {
    throw new WebhookError("invalid_payload", "hookgate: the form's payload field is not valid JSON", {
      cause,
    });
  }
}
