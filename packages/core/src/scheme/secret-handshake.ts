import { WebhookError } from "../errors.js";
import type { ChallengeRequest, HandshakeReply, Scheme } from "../types.js";
import type { SecretHandshake } from "./definition.js";
import type { SecretSource } from "./secret-source.js";

/**
 * The challenge step of a scheme whose handshake establishes a secret (Asana's `X-Hook-Secret`):
 * the handshake is answered only where the scheme's secrets have none for the request yet, so it
 * can set a webhook's first secret and never replace one. Requests that are not this handshake go
 * to the scheme's other challenge, if any, then to verification.
 */
export function secretHandshakeChallenge(
  handshake: SecretHandshake,
  secrets: SecretSource,
  other: Scheme["challenge"],
): NonNullable<Scheme["challenge"]> {
  return async (request: ChallengeRequest): Promise<HandshakeReply | undefined> => {
    const secret = handshake.read(request);
    if (secret === undefined) return other?.(request);
    const established =
      typeof secrets === "function"
        ? await secrets({
            headers: request.headers,
            rawBody: request.rawBody,
            url: request.url,
            method: request.method,
            params: request.params,
          })
        : secrets;
    if (established.length > 0) {
      // Never echo either secret: the answer goes to whoever sent the handshake.
      throw new WebhookError(
        "handshake_refused",
        `hookgate: the ${handshake.name} handshake was refused: a secret is already established for this webhook (${typeof secrets === "function" ? "the secret function returned one" : "static secrets are configured"}), and a handshake never replaces one. If the webhook was re-created, delete its stored secret first`,
      );
    }
    await handshake.establish(secret, request);
    return handshake.reply(secret);
  };
}
