import type { ChallengeRequest, HandshakeReply, Scheme, VerifyInput } from "../types.js";
import type { SignedHandshake } from "./definition.js";
import type { Verified } from "./proof.js";

/**
 * The challenge step of a scheme whose handshake is signed and answered with the key that
 * verified it (Zoom's `endpoint.url_validation`): the scheme's other challenge first, then a
 * request the handshake `matches` is verified (with its proof, so the matched key is at hand) and
 * answered by `reply`, given the delivery and that key.
 */
export function signedHandshakeChallenge(
  handshake: SignedHandshake,
  prove: (input: VerifyInput) => Verified | Promise<Verified>,
  other: Scheme["challenge"],
): NonNullable<Scheme["challenge"]> {
  return async (request: ChallengeRequest): Promise<HandshakeReply | undefined> => {
    const answered = other ? await other(request) : undefined;
    if (answered || !handshake.matches(request)) return answered;
    const { delivery, proof } = await prove(request);
    return handshake.reply(delivery, proof.key);
  };
}
