import { getHeader } from "../internal/headers.js";
import { utf8Key } from "../internal/secrets.js";
import { defineScheme } from "../scheme/define-scheme.js";
import type { ChallengeRequest, HandshakeReply, HeaderSigningScheme, SecretInput } from "../types.js";

/** Options for {@link notion}. */
export interface NotionSchemeOptions {
  /** The subscription's `verification_token`, which keys its signatures; several during rotation. */
  secret: SecretInput;
  /**
   * Called with the `verification_token` Notion posts when a subscription is created (unsigned,
   * or signed with that same token): store it and paste it into Notion to finish verification.
   * The request is answered 200 and no handler runs. Without this option, that request is verified like any other (and refused).
   * Anyone can post such a request: the token is proven only when Notion accepts it, so never
   * make it a signing secret automatically; turn this option off once the subscription is verified.
   */
  onVerificationToken?: (token: string, request: ChallengeRequest) => void | Promise<void>;
}

const TOKEN_BODY = /^\s*\{\s*"verification_token"\s*:\s*"([^"\\]{1,512})"\s*\}\s*$/;

/**
 * Notion: `X-Notion-Signature: sha256=<hex>`, HMAC-SHA256 over the body keyed by the
 * subscription's `verification_token`; the id and type are the event's `id` and `type`
 * (`page.created`). The one-time verification request — exactly `{"verification_token":"…"}`,
 * unsigned or signed with that token — is handed to `onVerificationToken`.
 * (https://developers.notion.com/reference/webhooks#step-3-validating-event-payloads-recommended)
 */
export function notion(options: NotionSchemeOptions): HeaderSigningScheme {
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
              if (request.method !== "POST") return undefined;
              const match = TOKEN_BODY.exec(new TextDecoder().decode(request.rawBody));
              if (!match) return undefined;
              const token = match[1]!;
              // Notion may sign the handshake with the very token it carries (@notionhq/client's
              // verifyWebhookSignature tests say so): the receiver cannot hold that token yet, so
              // check the signature against the body's token; a signature that does not match it
              // is not a handshake and is verified as usual.
              if (getHeader(request.headers, "x-notion-signature") !== undefined) {
                const signedWithToken = await notion({ secret: token })
                  .verify(request)
                  .then(
                    () => true,
                    () => false,
                  );
                if (!signedWithToken) return undefined;
              }
              await onVerificationToken(token, request);
              return { body: {} };
            },
          }
        : {}),
    },
    { secret: options.secret },
  );
}
