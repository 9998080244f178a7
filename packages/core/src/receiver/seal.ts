import { WebhookError } from "../errors.js";
import { fromBase64Url, toBase64Url, utf8 } from "../internal/bytes.js";
import { type CryptoKeyMaterial, type HmacKey, hmac, timingSafeEqual } from "../internal/crypto.js";
import type { Settings } from "./options.js";

/**
 * What a receiver keeps of a verified delivery (a journal row, a queued job) and seals: everything
 * a worker or a replay trusts without the sender's signature — its key, tenant, receipt time,
 * route params — and the exact bytes and headers that verified.
 */
export interface Kept {
  key: string;
  id: string;
  scheme: string;
  /** The identity of the secrets that verified it (its tenant); `""` where there is one. */
  tenant: string;
  receivedAt: Date;
  headers: Readonly<Record<string, string>>;
  rawBody: Uint8Array;
  url?: string | undefined;
  params?: Readonly<Record<string, string>> | undefined;
}

/**
 * What the receiver keeps of a verified delivery it is about to journal or enqueue: its key and
 * tenant, the event's id, scheme, receipt time and bytes, and the request's kept headers, URL
 * and route params (none kept as none).
 */
export function keptOf(
  event: { id: string; scheme: string; receivedAt: Date; rawBody: Uint8Array },
  key: string,
  tenant: string,
  headers: Readonly<Record<string, string>>,
  request: { url?: string | undefined; params?: Readonly<Record<string, string>> | undefined },
): Kept {
  const { params } = request;
  return {
    key,
    id: event.id,
    scheme: event.scheme,
    tenant,
    receivedAt: event.receivedAt,
    headers,
    rawBody: event.rawBody,
    url: request.url,
    params: params && Object.keys(params).length > 0 ? { ...params } : undefined,
  };
}

const VERSION = "v1.";
const SEAL_LABEL = utf8("hookgate seal v1");
/** Each secret's seal key, derived once: a seal never uses the sender's secret itself. */
const derived = new WeakMap<HmacKey, HmacKey | Promise<HmacKey>>();

/**
 * The seal key derived from a secret key (HMAC, token); `undefined` for a sender's public key.
 * Where node:crypto is present it is derived at once, and every later call answers at once too.
 */
function derivedKey(key: CryptoKeyMaterial): HmacKey | Promise<HmacKey> | undefined {
  if (key.kind !== "hmac") return undefined;
  let known = derived.get(key);
  if (!known) {
    const bytes = hmac("sha256", key, [SEAL_LABEL]);
    const made: HmacKey | Promise<HmacKey> =
      bytes instanceof Promise
        ? bytes.then((b) => {
            const sealKey: HmacKey = { kind: "hmac", bytes: b };
            derived.set(key, sealKey);
            return sealKey;
          })
        : { kind: "hmac", bytes };
    derived.set(key, made);
    known = made;
  }
  return known;
}

function sortedEntries(record: Readonly<Record<string, string>> | undefined): [string, string][] | null {
  if (!record) return null;
  const names = Object.keys(record);
  if (names.length === 0) return null;
  return names.sort().map((name) => [name, record[name]!]);
}

/** The sealed bytes: every field in a fixed order, then the body. */
function content(kept: Kept): (string | Uint8Array)[] {
  const fields = JSON.stringify([
    kept.scheme,
    kept.key,
    kept.id,
    kept.tenant,
    kept.receivedAt.toISOString(),
    kept.url ?? null,
    sortedEntries(kept.params),
    sortedEntries(kept.headers),
  ]);
  return [fields, "\n", kept.rawBody];
}

function tag(key: HmacKey, kept: Kept): Uint8Array | Promise<Uint8Array> {
  return hmac("sha256", key, content(kept));
}

/**
 * Seals what the receiver keeps of a delivery, with its `sealKey` or else a key derived from the
 * secret that verified it (`matched`). At once where node:crypto is present and the key is known.
 */
export function seal(
  settings: Settings,
  matched: CryptoKeyMaterial | undefined,
  kept: Kept,
): string | Promise<string> {
  const key = settings.sealKeys[0] ?? (matched ? derivedKey(matched) : undefined);
  if (!key) {
    throw new WebhookError(
      "invalid_option",
      `hookgate: the ${kept.scheme} scheme verifies with the sender's public keys (or was not built by defineScheme), so there is no secret to seal journal rows and queued jobs with: give createReceiver a sealKey (a random secret shared by the receiver and its workers)`,
    );
  }
  return key instanceof Promise ? key.then((known) => sealWith(known, kept)) : sealWith(key, kept);
}

function sealWith(key: HmacKey, kept: Kept): string | Promise<string> {
  const sealed = tag(key, kept);
  return sealed instanceof Promise
    ? sealed.then((bytes) => VERSION + toBase64Url(bytes))
    : VERSION + toBase64Url(sealed);
}

/** Whether `sealed` is the receiver's seal over `kept`, given the key that verifies its signature. */
export async function sealHolds(
  settings: Settings,
  matched: CryptoKeyMaterial | undefined,
  kept: Kept,
  sealed: string | undefined,
): Promise<boolean> {
  if (typeof sealed !== "string" || !sealed.startsWith(VERSION)) return false;
  const expected = fromBase64Url(sealed.slice(VERSION.length));
  if (expected?.length !== 32) return false;
  const own = matched ? derivedKey(matched) : undefined;
  const keys = own ? [...settings.sealKeys, await own] : settings.sealKeys;
  let holds = false;
  for (const key of keys) if (timingSafeEqual(await tag(key, kept), expected)) holds = true;
  return holds;
}
