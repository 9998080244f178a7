import type { Delivery, Scheme, VerifyInput, VerifyOptions } from "./types.js";

/**
 * Verifies one request against a scheme: signature (constant-time, every configured secret),
 * then freshness where the scheme signs a timestamp, then parses the payload.
 * Throws a {@link WebhookError} with a stable `code` and HTTP `status` otherwise.
 *
 * @example
 * const delivery = await verify(schemes.stripe({ secret }), { headers: req.headers, rawBody });
 * delivery.type; // "invoice.paid"
 */
export function verify(scheme: Scheme, input: VerifyInput, options?: VerifyOptions): Promise<Delivery> {
  return scheme.verify(input, options);
}
