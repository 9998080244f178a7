import { WebhookError } from "../errors.js";
import type { Delivery, Scheme, VerifyInput, VerifyOptions } from "../types.js";
import type { StreamedDigests } from "./stream-verify.js";

type NowOrLater = (
  input: VerifyInput,
  options?: VerifyOptions,
  streamed?: StreamedDigests,
) => Delivery | Promise<Delivery>;

/** Each scheme `defineScheme` built, and its verify that answers at once where it can. */
const verifiers = new WeakMap<Scheme, NowOrLater>();

/** Records `scheme`'s verify that answers at once where `verifySync` applies. */
export function registerNowOrLater(scheme: Scheme, verify: NowOrLater): void {
  verifiers.set(scheme, verify);
}

/**
 * The receiver's verify: the delivery itself where the scheme can verify synchronously (no
 * promise turn), else `scheme.verify`'s promise. A scheme object `defineScheme` did not build — a
 * copy, a hand-written scheme — is always verified through its own `verify`. `streamed`: the
 * digests the body reader finished while the body arrived (`scheme/stream-verify.ts`).
 */
export function verifyNowOrLater(
  scheme: Scheme,
  input: VerifyInput,
  options: VerifyOptions,
  streamed?: StreamedDigests,
): Delivery | Promise<Delivery> {
  const verify = verifiers.get(scheme);
  return verify ? verify(input, options, streamed) : scheme.verify(input, options);
}

/**
 * What `scheme.verifySync` throws where it cannot apply (Web Crypto only, a secret function, a
 * key fetched per request): `invalid_option`, a set-up error, whatever the request.
 */
export function syncUnavailable(name: string, why: string): WebhookError {
  return new WebhookError(
    "invalid_option",
    `hookgate: ${name} cannot verify synchronously here: ${why}. Use \`await scheme.verify(input, options)\``,
  );
}
