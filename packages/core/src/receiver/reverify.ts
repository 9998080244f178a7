import { WebhookError } from "../errors.js";
import { extend } from "../internal/extend.js";
import type { Proof } from "../scheme/proof.js";
import type { Delivery, WebhookEvent } from "../types.js";
import type { Settings } from "./options.js";
import { type Kept, sealHolds } from "./seal.js";
import { validatePayload } from "./validate.js";

/** A kept delivery verified again, and what verified it (none for a hand-written scheme). */
export interface Reverified {
  event: WebhookEvent;
  proof: Proof | undefined;
}

/**
 * Verifies again a delivery the receiver kept (a queued job, a journal row) before anything in it
 * is trusted: the signature over the kept bytes as of the kept receipt time, and the receiver's
 * seal over the key, tenant, receipt time, params, headers and bytes — so whoever can write to the
 * queue or the database can neither run a captured delivery again under a fresh key nor move its
 * receipt time into the tolerance window. Id, type and payload come from the signed bytes, and
 * the payload is validated against the receiver's `events` schemas as a request's is. A scheme
 * `defineScheme` did not build is verified with its own `reverify`, else its `verify` and a seal
 * made with the receiver's `sealKey`.
 */
export async function reverify(
  settings: Settings,
  kept: Kept,
  sealed: string | undefined,
): Promise<Reverified> {
  const { scheme } = settings;
  if (kept.scheme !== scheme.name) {
    throw new WebhookError(
      "signature_mismatch",
      `hookgate: delivery ${kept.id} was received by a ${kept.scheme} receiver; run it with one`,
    );
  }
  const input = { headers: kept.headers, rawBody: kept.rawBody, url: kept.url, params: kept.params };
  const options = { tolerance: settings.tolerance, now: kept.receivedAt };
  let verified: Delivery;
  let proof: Proof | undefined;
  const check = (key: Parameters<typeof sealHolds>[1]) => sealHolds(settings, key, kept, sealed);
  if (settings.engine) {
    ({ delivery: verified, proof } = await settings.engine.reverify(input, options, check));
  } else if (scheme.reverify) {
    verified = await scheme.reverify(input, options, check);
  } else {
    verified = await scheme.verify(input, options);
    if (!(await check(undefined))) {
      throw new WebhookError(
        "signature_mismatch",
        `hookgate: delivery ${kept.id} is not sealed by this receiver as kept (its key, receipt time, tenant or headers were changed, or it was kept before seals existed)`,
      );
    }
  }
  // The events of a batch share the request's proof.
  const parts = scheme.split ? scheme.split(verified) : [verified];
  const match = parts.find((part) => part.id === kept.id);
  if (!match) {
    throw new WebhookError(
      "signature_mismatch",
      `hookgate: the kept delivery ${kept.id} does not match its signed content`,
    );
  }
  const event: WebhookEvent = extend(match, {
    receivedAt: kept.receivedAt,
    payload: await validatePayload(settings, match.type, match.payload),
  });
  return { event, proof };
}
