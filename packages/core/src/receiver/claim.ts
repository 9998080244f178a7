import { WebhookError } from "../errors.js";
import { toBase64Url, utf8 } from "../internal/bytes.js";
import { type HmacKey, hmac, sha256 } from "../internal/crypto.js";
import { isTokenScheme } from "../scheme/scheme-facts.js";
import { signatureId } from "../scheme/verifier-parts.js";
import { inProcessOf } from "../store/in-process.js";
import type { Claim } from "../store.js";
import type { Delivery, SchemeFacts } from "../types.js";
import type { Intake } from "./intake.js";
import { type Lease, storeCall } from "./lease.js";
import type { Settings } from "./options.js";

/** Characters `encodeURIComponent` leaves as they are: A-Z a-z 0-9 - _ . ! ~ * ' ( ). */
const UNESCAPED = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.!~*'()")
  UNESCAPED[c.charCodeAt(0)] = 1;

/**
 * `encodeURIComponent(part)`: the same string, without the call's new copy where nothing needs
 * escaping (as in nearly every sender's ids).
 */
export function escapePart(part: string): string {
  for (let i = 0; i < part.length; i++) {
    const code = part.charCodeAt(i);
    if (code >= 128 || UNESCAPED[code] === 0) return encodeURIComponent(part);
  }
  return part;
}

/**
 * The delivery's idempotency key: namespace, scheme, tenant and id, each escaped so no part can
 * pose as another (`:` never appears unescaped inside a part). The tenant is the identity of the
 * secrets that verified the delivery (see `identityOf`): two receivers or tenants sharing a store
 * never claim each other's ids, and a rotated secret keeps its identity. Where the sender's id is
 * not covered by the signature (GitHub, Shopify, Twilio), the id is a digest of the signed content
 * instead (`signedContentId`), so a captured delivery replayed under a fresh id header is still a
 * duplicate. Token schemes (Telegram, GitLab) sign nothing per delivery: their key is the id as
 * sent, and `bindBody` binds the first body seen to it.
 */
export function idempotencyKey(settings: Settings, intake: Intake): string | Promise<string> {
  const delivery = intake.event;
  const head = keyHead(settings, delivery.scheme, intake.tenant);
  // One event of a batch (SendGrid) is keyed by its own id, which the signed body carries.
  const { facts } = settings.scheme;
  if (facts.idSigned || settings.scheme.split || isTokenScheme(facts)) return head + escapePart(delivery.id);
  const digest = signedContentId(delivery);
  return digest instanceof Promise ? digest.then((id) => head + id) : head + digest;
}

/**
 * What every key of a receiver and tenant starts with: namespace, scheme and tenant, escaped, and
 * the `:` before the id. The delivery keys and the ordering watermarks (`ordering.ts`) share it, so
 * neither crosses tenants. Made once per receiver and tenant, as one flat string: a key is this
 * and the id, one join of two strings, the least a store can keep per delivery. `${prefix}:${id}`
 * is a join of a join, and a busy store's keys live long enough to be promoted: ~30 bytes more per
 * delivery; making the whole key flat instead cost a runtime call per request (bench/README.md,
 * round 7).
 */
export function keyHead(settings: Settings, schemeName: string, tenant: string): string {
  const last = settings.keyHead;
  if (last.head !== "" && last.scheme === schemeName && last.tenant === tenant) return last.head;
  // Identities are base64url: nothing to escape.
  const scheme = tenant === "" ? escapePart(schemeName) : `${escapePart(schemeName)}:${tenant}`;
  const prefix =
    settings.namespace === undefined ? scheme : `${encodeURIComponent(settings.namespace)}:${scheme}`;
  last.scheme = schemeName;
  last.tenant = tenant;
  // `join` makes it flat, once.
  last.head = [prefix, ""].join(":");
  return last.head;
}

/**
 * What identifies a delivery whose id header is unsigned (GitHub, Shopify, Twilio): a digest of
 * what its signature covers — the signed timestamp and the body — not the signature itself, so a
 * captured delivery replayed under a fresh id (or with a re-encoded signature) is a duplicate, and
 * so is the sender's retry signed with a rotated secret.
 */
function signedContentId(delivery: Delivery): string | Promise<string> {
  const timestamp = delivery.timestamp ? String(delivery.timestamp.getTime()) : "";
  const digest = sha256([CONTENT_ID_DOMAIN, timestamp, "\n", delivery.rawBody]);
  return digest instanceof Promise
    ? digest.then((bytes) => `c${toBase64Url(bytes)}`)
    : `c${toBase64Url(digest)}`;
}

/**
 * What a content id's hash starts with, so it is never the hash of anything else hookgate hashes.
 * v1 was an HMAC under a fixed, public key: the same guarantee, 3.1 against 2.2 µs at 1 KiB
 * (`bench/micro/content-id.ts`).
 */
const CONTENT_ID_DOMAIN = "hookgate content id v2\n";

/**
 * Where the signature does not cover the body (Mailgun signs a timestamp and a one-time token; a
 * shared token covers nothing), the first body seen under a key is bound to it for as long as the
 * key is remembered: the same signed triplet or token carrying another body is refused, even after
 * a failed first attempt released the key.
 */
export async function bindBody(settings: Settings, intake: Intake): Promise<void> {
  const { facts } = settings.scheme;
  const { event: delivery, key } = intake;
  if (facts.bodySigned) return;
  const digest = signatureId(await hmac("sha256", BODY_DIGEST_KEY, [boundContent(facts, delivery)]));
  const bound = await storeCall(settings, () =>
    settings.store.bind(`body:${key}`, digest, { ttlMs: settings.ttlMs }),
  );
  if (bound !== digest) {
    throw new WebhookError(
      "signature_mismatch",
      `hookgate: delivery ${delivery.id} was received before with another body; ${delivery.scheme}'s signature does not cover the body, so only the first body is accepted`,
    );
  }
}

/**
 * What is bound: the body, or — where the signature travels in the body (Mailgun's `signature`,
 * `timestamp` and `token` fields) — the payload without those fields, so the sender's retry
 * signed with a rotated key is still the same body.
 */
function boundContent(facts: SchemeFacts, delivery: Delivery): string | Uint8Array {
  const { payload } = delivery;
  if (facts.signatureHeaders.length > 0 || payload === null || typeof payload !== "object")
    return delivery.rawBody;
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(payload))
    if (name !== "signature" && name !== "timestamp" && name !== "token") rest[name] = value;
  return JSON.stringify(rest);
}

const BODY_DIGEST_KEY: HmacKey = { kind: "hmac", bytes: utf8("hookgate body digest v1") };

/** What claiming a key found: a lease to hold, or an earlier completion (a duplicate). */
export type ClaimOutcome = { lease: Lease } | { duplicate: true };

const DUPLICATE: ClaimOutcome = { duplicate: true };

/**
 * Claims `key` atomically in the store: a lease (go on), a completion (a duplicate: 200), or a
 * live lease elsewhere (409 `in_flight`).
 */
export function claimKey(settings: Settings, key: string, id: string): ClaimOutcome | Promise<ClaimOutcome> {
  const { store, lockMs, ttlMs } = settings;
  // An in-process store (memoryStore) answers at once: no promise, no timeout to arm.
  const local = inProcessOf(store);
  if (local) return outcomeOf(local.claim(key, { lockMs, ttlMs }), key, id);
  return storeCall(settings, () => store.claim(key, { lockMs, ttlMs })).then((claim) =>
    outcomeOf(claim, key, id),
  );
}

/** What a store's answer to a claim means for the request. */
function outcomeOf(claim: Claim, key: string, id: string): ClaimOutcome {
  if (claim.status === "completed") return DUPLICATE;
  if (claim.status === "in-flight") {
    throw new WebhookError("in_flight", `hookgate: delivery ${id} is being processed; retry later`);
  }
  if (claim.status !== "claimed" || typeof claim.token !== "string") {
    throw new WebhookError(
      "store_unavailable",
      "hookgate: the idempotency store answered a claim with neither claimed, in-flight nor completed",
    );
  }
  return { lease: { key, token: claim.token } };
}
