import { checkVerifyOptions } from "./scheme/timestamps.js";
import type { Delivery, Scheme, VerifyInput, VerifyOptions } from "./types.js";

/**
 * Verifies one request against a scheme: signature (constant-time, every configured secret),
 * then freshness where the scheme signs a timestamp, then parses the payload.
 * Throws a {@link WebhookError} with a stable `code` and HTTP `status` otherwise; options are
 * checked like `createReceiver`'s (`tolerance` a positive number of seconds or `Infinity`, `now`
 * a valid Date), an invalid one is refused with `invalid_option`.
 *
 * @example
 * const delivery = await verify(schemes.stripe({ secret }), { headers: req.headers, rawBody });
 * delivery.type; // "invoice.paid"
 */
export function verify(scheme: Scheme, input: VerifyInput, options?: VerifyOptions): Promise<Delivery> {
  try {
    checkVerifyOptions(options, "verify");
  } catch (error) {
    return Promise.reject(error);
  }
  return scheme.verify(input, options);
}
