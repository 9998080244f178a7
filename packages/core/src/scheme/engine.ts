import { WebhookError } from "../errors.js";
import type { DecodedSecret } from "../internal/secrets.js";
import type { Scheme, VerifyInput, VerifyOptions } from "../types.js";
import type { KeptCheck, Verified } from "./proof.js";
import type { StreamedDigests, StreamStart } from "./stream-verify.js";

/**
 * What the receiver reaches of a scheme `defineScheme` built, beyond the public {@link Scheme}:
 * verification that also says what verified (the {@link Verified} proof), never on the delivery.
 */
export interface SchemeEngine {
  /**
   * Verifies and proves: at once where `verifySync` applies (no promise turn), else a promise.
   * `streamed`: the digests the body reader finished while the body arrived, used where they fit.
   */
  verify(
    input: VerifyInput,
    options?: VerifyOptions,
    streamed?: StreamedDigests,
  ): Verified | Promise<Verified>;
  /** `Scheme.reverify`, with the proof. */
  reverify(input: VerifyInput, options: VerifyOptions, kept: KeptCheck): Promise<Verified>;
  /**
   * The secrets every delivery is verified against, where they are configured once (not a secret
   * function, not a certificate): what a delivery handed in without its proof belongs to.
   */
  staticSecrets: readonly DecodedSecret[] | undefined;
  /**
   * True when the secrets come from a function, per request (one set per tenant): a delivery
   * handed in without its proof does not say which tenant it belongs to.
   */
  perTenant: boolean;
  /** How the receiver starts hashing a body as it arrives, where the scheme can (`scheme/stream-verify.ts`). */
  startStream: StreamStart | undefined;
}

/**
 * The engine of each scheme `defineScheme` built, keyed by its `verify` (made once per scheme): a
 * copy of the scheme object (`{ ...scheme, split }`) that keeps that `verify` keeps its engine.
 */
const engines = new WeakMap<Scheme["verify"], SchemeEngine>();

/** Records the engine of a scheme `defineScheme` built. */
export function registerEngine(scheme: Scheme, engine: SchemeEngine): void {
  engines.set(scheme.verify, engine);
}

/**
 * The engine of a scheme `defineScheme` built (or a copy keeping its `verify`), looked up once: a
 * receiver does so at creation. `undefined` for a scheme whose `verify` is its own — a
 * hand-written scheme, a wrapper around `verify` — which is verified through that `verify` and
 * has no proof.
 */
export function engineOf(scheme: Scheme): SchemeEngine | undefined {
  return typeof scheme.verify === "function" ? engines.get(scheme.verify) : undefined;
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
