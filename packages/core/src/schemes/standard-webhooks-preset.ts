import type { KeyDecoder } from "../internal/secrets.js";
import type { SchemeDefinition } from "../scheme/definition.js";

/**
 * A Standard Webhooks sender under its own name (Resend, Clerk, Polar): the same headers, signed
 * content and `v1` signatures. `prefix` is the header family it sends (`svix-*` or `webhook-*`);
 * the other is accepted too.
 */
export function standardWebhooksPreset(
  name: string,
  key: KeyDecoder,
  prefix: "svix" | "webhook",
): SchemeDefinition {
  const other = prefix === "svix" ? "webhook" : "svix";
  return {
    name,
    signatures: [
      {
        header: `${prefix}-signature`,
        aliases: [`${other}-signature`],
        format: { type: "versioned", version: "v1" },
        algorithm: "sha256",
        encoding: "base64",
      },
    ],
    timestamp: { header: `${prefix}-timestamp`, aliases: [`${other}-timestamp`], unit: "s" },
    content: "{id}.{timestamp}.{body}",
    key,
    id: { header: `${prefix}-id`, aliases: [`${other}-id`] },
    type: { payload: "type" },
  };
}
