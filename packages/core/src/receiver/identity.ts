import { WebhookError } from "../errors.js";
import { toBase64Url, utf8 } from "../internal/bytes.js";
import type { CryptoKeyMaterial } from "../internal/crypto.js";
import type { DecodedSecret } from "../internal/secrets.js";
import type { Intake } from "./intake.js";
import { storeCall } from "./lease.js";
import type { Settings } from "./options.js";

/** How long a process trusts an identity it looked up before binding it again (and refreshing it). */
const RECHECK_MS = 3_600_000;
/** Bindings outlive every dedupe key, and are refreshed whenever a process looks them up. */
const MIN_BINDING_TTL_MS = 30 * 24 * 3_600_000;
/** PBKDF2 rounds for a secret's fingerprint: whoever reads the store cannot cheaply guess a short token. */
const FINGERPRINT_ROUNDS = 20_000;
const IDENTITY_CHARS = 22;

interface Known {
  identity: Promise<string>;
  /** The identity once the store answered: what later requests get, with no promise. */
  resolved?: string;
  checkedAt: number;
}

/** Each secret's fingerprint, computed once per scheme and key (bounded: least recently made go first). */
const fingerprints = new Map<string, Promise<string>>();
const MAX_FINGERPRINTS = 10_000;

function materialOf(key: CryptoKeyMaterial): Uint8Array {
  if (key.kind === "hmac") return key.bytes;
  if (key.kind === "ed25519") return key.publicKey ?? key.seed ?? new Uint8Array(0);
  return key.spki ?? key.pkcs8 ?? new Uint8Array(0);
}

/** A one-way, slow fingerprint of a secret, salted with the scheme: safe to keep in a shared store. */
function fingerprint(scheme: string, key: CryptoKeyMaterial): Promise<string> {
  const material = materialOf(key);
  const id = `${scheme} ${toBase64Url(material)}`;
  let known = fingerprints.get(id);
  if (!known) {
    known = (async () => {
      const subtle = globalThis.crypto.subtle;
      const base = await subtle.importKey("raw", material as BufferSource, "PBKDF2", false, ["deriveBits"]);
      const bits = await subtle.deriveBits(
        {
          name: "PBKDF2",
          hash: "SHA-256",
          salt: utf8(`hookgate identity v1 ${scheme}`) as BufferSource,
          iterations: FINGERPRINT_ROUNDS,
        },
        base,
        128,
      );
      return toBase64Url(new Uint8Array(bits)).slice(0, IDENTITY_CHARS);
    })();
    if (fingerprints.size >= MAX_FINGERPRINTS) fingerprints.delete(fingerprints.keys().next().value!);
    fingerprints.set(id, known);
    known.catch(() => fingerprints.delete(id));
  }
  return known;
}

/**
 * Who a delivery belongs to: the identity of the secrets that verified it — one per receiver and,
 * with a secret function, one per tenant. It is part of every idempotency key and journal row, so
 * two receivers or tenants sharing a store never dedupe each other's ids.
 *
 * The identity survives rotation: each secret's fingerprint is bound in the store (first writer
 * wins) to the identity of the oldest secret configured beside it. A receiver with `[old]` is
 * `old`'s identity; `[new, old]` binds `new` to it too; `[new]` alone then finds it. A secret no
 * other receiver ever held starts an identity of its own.
 *
 * The secrets are the intake's proof's; without a proof (a delivery handed to `dispatch` as is, a
 * hand-written scheme), the scheme's static secrets if it has them, else none. A delivery without
 * its proof under a secret function is refused (`invalid_option`): which tenant's secret verified
 * it is not in the delivery, and a key without the tenant would let tenants dedupe each other.
 */
export function identityOf(settings: Settings, intake: Intake): string | Promise<string> {
  if (!intake.proof && settings.engine?.perTenant) {
    throw new WebhookError(
      "invalid_option",
      `hookgate: ${intake.event.scheme} takes its secrets from a function (one per tenant), and a delivery handed to dispatch as is does not say which tenant's secret verified it. Dispatch the QueuedDelivery the receiver enqueued (it carries its sealed tenant), or let receiver.handle verify the request`,
    );
  }
  const secrets = intake.proof ? intake.proof.secrets : settings.engine?.staticSecrets;
  // A scheme whose keys are the sender's own and global (AWS SNS certificates): one identity.
  if (!secrets || secrets.length === 0) return "";
  const now = Date.now();
  const known = settings.identities.get(secrets);
  if (known && now - known.checkedAt < RECHECK_MS) return known.resolved ?? known.identity;
  const identity = bindLineage(settings, intake.event.scheme, secrets);
  const entry: Known = { identity, checkedAt: now };
  settings.identities.set(secrets, entry);
  identity.then(
    (value) => {
      entry.resolved = value;
    },
    () => {
      if (settings.identities.get(secrets) === entry) settings.identities.delete(secrets);
    },
  );
  return identity;
}

async function bindLineage(
  settings: Settings,
  scheme: string,
  secrets: readonly DecodedSecret[],
): Promise<string> {
  const ttlMs = Math.max(MIN_BINDING_TTL_MS, settings.ttlMs * 2);
  const namespace = settings.namespace === undefined ? "" : `${encodeURIComponent(settings.namespace)}:`;
  let identity: string | undefined;
  // Lists put the newest secret first: the oldest one decides, the newer ones join it.
  for (let i = secrets.length - 1; i >= 0; i--) {
    const print = await fingerprint(scheme, secrets[i]!.key);
    const key = `identity:${namespace}${encodeURIComponent(scheme)}:${print}`;
    const bound = await storeCall(settings, () =>
      settings.store.bind(key, identity ?? print, { ttlMs, refresh: true }),
    );
    identity ??= bound;
  }
  return identity!;
}

/** The caches {@link identityOf} keeps per receiver. */
export function identityCache(): WeakMap<readonly DecodedSecret[], Known> {
  return new WeakMap();
}
