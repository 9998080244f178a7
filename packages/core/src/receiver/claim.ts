import { WebhookError } from "../errors.js";
import { verifiedSignatureOf } from "../scheme/verified-signature.js";
import { signatureId } from "../scheme/verify-signature.js";
import type { Delivery } from "../types.js";
import { type Lease, storeCall } from "./lease.js";
import type { Settings } from "./options.js";

let lastName = "";
let lastEncoded = "";

/** `encodeURIComponent` of a scheme name, which is the same for nearly every call. */
function encodedName(name: string): string {
  if (name !== lastName) {
    lastEncoded = encodeURIComponent(name);
    lastName = name;
  }
  return lastEncoded;
}

/**
 * The delivery's idempotency key: namespace, scheme and id, each escaped so no part can pose as
 * another (`:` never appears unescaped inside a part). Where the sender's id is not covered by
 * the signature (GitHub, Shopify, Twilio), the id is the verified signature's bytes instead, so a
 * captured delivery replayed under a fresh id header is still a duplicate. Token schemes (Telegram,
 * GitLab) carry no per-delivery signature: their key is the id.
 */
export function idempotencyKey(settings: Settings, delivery: Delivery): string {
  // One event of a batch (SendGrid) is keyed by its own id, which the signed body carries.
  const signature =
    settings.scheme.facts.idSigned || settings.scheme.split ? undefined : verifiedSignatureOf(delivery);
  const basis = signature ? signatureId(signature) : encodeURIComponent(delivery.id);
  const scheme = encodedName(delivery.scheme);
  return settings.namespace === undefined
    ? `${scheme}:${basis}`
    : `${encodeURIComponent(settings.namespace)}:${scheme}:${basis}`;
}

/** What claiming a key found: a lease to hold, or an earlier completion (a duplicate). */
export type ClaimOutcome = { lease: Lease } | { duplicate: true };

const DUPLICATE: ClaimOutcome = { duplicate: true };

/**
 * Claims `key` atomically in the store: a lease (go on), a completion (a duplicate: 200), or a
 * live lease elsewhere (409 with `Retry-After`).
 */
export function claimKey(settings: Settings, key: string, id: string): Promise<ClaimOutcome> {
  const { store, lockMs, ttlMs } = settings;
  return storeCall(settings, () => store.claim(key, { lockMs, ttlMs })).then((claim) => {
    if (claim.status === "completed") return DUPLICATE;
    if (claim.status === "in-flight") {
      throw new WebhookError("in_flight", `hookgate: delivery ${id} is being processed; retry later`, {
        headers: { "retry-after": String(Math.ceil(lockMs / 1000)) },
      });
    }
    if (claim.status !== "claimed" || typeof claim.token !== "string") {
      throw new WebhookError(
        "store_unavailable",
        "hookgate: the idempotency store answered a claim with neither claimed, in-flight nor completed",
        {
          headers: { "retry-after": "5" },
        },
      );
    }
    return { lease: { key, token: claim.token } };
  });
}
