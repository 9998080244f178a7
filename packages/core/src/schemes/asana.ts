import { getHeader } from "../internal/headers.js";
import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { ChallengeRequest, HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link asana}. */
export interface AsanaSchemeOptions {
  /**
   * The webhook's `X-Hook-Secret` from its handshake, or several (one per webhook). With
   * `onHookSecret`, a function: it must return no secret (`[]`) for a webhook whose handshake has not
   * happened yet (`({ params }) => db.asanaSecret(params.webhook)`), since a handshake is
   * refused wherever it returns a secret. Asked for a handshake, it gets `handshake: true`:
   * answer from the store, not a cache (`cachedSecrets` does so).
   */
  secret: SecretInput;
  /**
   * Called with the `X-Hook-Secret` of a handshake (when a webhook is created): store it as that
   * webhook's secret. The handshake is answered 200 echoing the header, without running handlers.
   * It is called only where `secret` returns none for the request: a handshake for a webhook that
   * already has a secret is refused with 403 `handshake_refused`, so a handshake never replaces a
   * secret. Throw to refuse one (e.g. for a webhook you are not creating right now).
   * Without this option, handshakes are verified like any request (and refused).
   */
  onHookSecret?: (secret: string, request: ChallengeRequest) => void | Promise<void>;
}

/**
 * Asana: `X-Hook-Signature: <hex>`, HMAC-SHA256 over the body keyed by the secret Asana sent in
 * the webhook's handshake. A delivery carries `events` (none for a heartbeat), typed `events` and
 * keyed by its signature. The handshake — a POST with `X-Hook-Secret` and no signature — is
 * handed to `onHookSecret` and answered with the same `X-Hook-Secret` header, only for a webhook
 * that has no secret yet (the engine asks `secret` first).
 *
 * The handshake is unsigned: between creating a webhook and its handshake, anyone who knows the
 * URL can send one first and have their secret stored (Asana's own handshake is then refused, and
 * the create call fails). Give each webhook its own URL (`/webhooks/asana/:webhook`), and in
 * `onHookSecret` accept a secret only for a webhook you are creating right now — Asana sends the
 * handshake during the `POST /webhooks` call, before it returns — and check that the created
 * webhook's target is that URL; if the create call fails, delete what was stored.
 * (https://developers.asana.com/docs/webhooks-guide#the-webhook-handshake)
 *
 * @example
 * const pending = new Set<string>(); // webhooks being created by this process, by route id
 * schemes.asana({
 *   secret: ({ params }) => db.asanaSecret(params.webhook),
 *   onHookSecret: async (secret, { params }) => {
 *     if (!pending.has(params?.webhook ?? ""))
 *       throw new WebhookError("handshake_refused", "hookgate: no Asana webhook is being created at this URL");
 *     await db.saveAsanaSecret(params!.webhook!, secret);
 *   },
 * });
 */
export function asana(options: AsanaSchemeOptions): HeaderSigningScheme {
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
            secretHandshake: {
              name: "X-Hook-Secret",
              read: (request: ChallengeRequest) => {
                const secret = getHeader(request.headers, "x-hook-secret");
                if (request.method !== "POST" || secret === undefined || secret === "") return undefined;
                // A signed request is a delivery, verified as usual.
                if (getHeader(request.headers, "x-hook-signature") !== undefined) return undefined;
                return secret;
              },
              establish: onHookSecret,
              reply: (secret: string) => ({
                body: "",
                contentType: "text/plain",
                headers: { "x-hook-secret": secret },
              }),
            },
          }
        : {}),
    },
    { secret: options.secret },
  );
}
