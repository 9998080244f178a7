import { getHeader } from "../internal/headers.js";
import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { ChallengeRequest, HandshakeReply, Scheme, SecretInput } from "../types.js";

/** Options for {@link notion}. */
export interface NotionSchemeOptions {
  /** The subscription's `verification_token`, which keys its signatures; several during rotation. */
  secret: SecretInput;
  /**
   * Called with the `verification_token` Notion posts (unsigned) when a subscription is created:
   * store it and paste it into Notion to finish verification. The request is answered 200 and no
   * handler runs. Without this option, that request is verified like any other (and refused).
   */
  onVerificationToken?: (token: string, request: ChallengeRequest) => void | Promise<void>;
}

const TOKEN_BODY = /^\s*\{\s*"verification_token"\s*:\s*"([^"\\]{1,512})"\s*\}\s*$/;

/**
 * Notion: `X-Notion-Signature: sha256=<hex>`, HMAC-SHA256 over the body keyed by the
 * subscription's `verification_token`; the id and type are the event's `id` and `type`
 * (`page.created`). The one-time verification request — unsigned, exactly
 * `{"verification_token":"…"}` — is handed to `onVerificationToken`.
 * (https://developers.notion.com/reference/webhooks#step-3-validating-event-payloads-recommended)
 */
export function notion(options: NotionSchemeOptions): Scheme {
  const { onVerificationToken } = options;
  return defineScheme(
    {
      name: "notion",
      signatures: [
        {
          header: "x-notion-signature",
          format: { type: "plain", prefix: "sha256=" },
          algorithm: "sha256",
          encoding: "hex",
        },
      ],
      content: "{body}",
      key: utf8Key,
      id: { payload: "id" },
      type: { payload: "type" },
      ...(onVerificationToken
        ? {
            challenge: async (request: ChallengeRequest): Promise<HandshakeReply | undefined> => {
              if (request.method !== "POST" || getHeader(request.headers, "x-notion-signature") !== undefined)
                return undefined;
              const match = TOKEN_BODY.exec(new TextDecoder().decode(request.rawBody));
              if (!match) return undefined;
              await onVerificationToken(match[1]!, request);
              return { body: {} };
            },
          }
        : {}),
    },
    { secret: options.secret },
  );
}
