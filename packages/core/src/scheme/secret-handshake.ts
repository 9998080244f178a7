import { WebhookError } from "../errors.js";
import type { ChallengeRequest, HandshakeReply, Scheme, SecretInput, StaticSecrets } from "../types.js";
import type { SecretHandshake } from "./definition.js";

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

/** Whether secrets as configured or returned hold at least one. */
function holdsAny(secrets: StaticSecrets | undefined | null): boolean {
  if (secrets === undefined || secrets === null) return false;
  return Array.isArray(secrets) ? secrets.length > 0 : true;
}

/**
 * The challenge step of a scheme whose handshake establishes a secret (Asana's `X-Hook-Secret`):
 * the handshake is answered only where the scheme's secrets have none for the request yet, so it
 * can set a webhook's first secret and never replace one. The secret function is asked with
 * `handshake: true`, so a cache in front of it answers afresh. Requests that are not this
 * handshake go to the scheme's other challenge, if any, then to verification.
 */
export function secretHandshakeChallenge(
  handshake: SecretHandshake,
  secrets: SecretInput,
  other: Scheme["challenge"],
): NonNullable<Scheme["challenge"]> {
  return async (request: ChallengeRequest): Promise<HandshakeReply | undefined> => {
    const secret = handshake.read(request);
    if (secret === undefined) return other?.(request);
    const established =
      typeof secrets === "function"
        ? holdsAny(
            await secrets({
              headers: request.headers,
              url: request.url,
              params: request.params ?? NO_PARAMS,
              handshake: true,
            }),
          )
        : holdsAny(secrets);
    if (established) {
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
