import { getHeader } from "../internal/headers.js";
import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { ChallengeRequest, HandshakeReply, Scheme, SecretInput } from "../types.js";

/** Options for {@link asana}. */
export interface AsanaSchemeOptions {
  /** The webhook's `X-Hook-Secret` from its handshake, or several (one per webhook); per-request secrets fit best. */
  secret: SecretInput;
  /**
   * Called with the `X-Hook-Secret` of a handshake (when a webhook is created): store it as that
   * webhook's secret. The handshake is answered 200 echoing the header, without running handlers.
   * Without this option, handshakes are verified like any request (and refused).
   */
  onHookSecret?: (secret: string, request: ChallengeRequest) => void | Promise<void>;
}

/**
 * Asana: `X-Hook-Signature: <hex>`, HMAC-SHA256 over the body keyed by the secret Asana sent in
 * the webhook's handshake. A delivery carries `events` (none for a heartbeat), typed `events` and
 * keyed by its signature. The handshake — a POST with `X-Hook-Secret` and no signature — is
 * handed to `onHookSecret` and answered with the same `X-Hook-Secret` header.
 * (https://developers.asana.com/docs/webhooks-guide#the-webhook-handshake)
 */
export function asana(options: AsanaSchemeOptions): Scheme {
  const { onHookSecret } = options;
  return defineScheme(
    {
      name: "asana",
      signatures: [
        { header: "x-hook-signature", format: { type: "plain" }, algorithm: "sha256", encoding: "hex" },
      ],
      content: "{body}",
      key: utf8Key,
      type: () => "events",
      ...(onHookSecret
        ? {
            challenge: async (request: ChallengeRequest): Promise<HandshakeReply | undefined> => {
              const secret = getHeader(request.headers, "x-hook-secret");
              if (request.method !== "POST" || secret === undefined || secret === "") return undefined;
              if (getHeader(request.headers, "x-hook-signature") !== undefined) return undefined;
              await onHookSecret(secret, request);
              return { body: "", contentType: "text/plain", headers: { "x-hook-secret": secret } };
            },
          }
        : {}),
    },
    { secret: options.secret },
  );
}
