import { checkOption } from "../internal/check-option.js";
import type { SecretRequest, SecretResolver, StaticSecrets } from "../types.js";

/** Options for {@link cachedSecrets}. */
export interface CachedSecretsOptions {
  /**
   * What identifies a lookup: requests with the same key share one cached answer. Return what the
   * lookup reads (a header, a query field): two tenants must never share a key.
   * @default the route params and the URL's path and query, with the query's fields sorted (`{"tenant":"acme"} /webhooks/acme?` …)
   */
  key?: (request: SecretRequest) => string;
  /** Most lookups kept; the least recently used is dropped past it. @default 1000 */
  max?: number;
  /** How long an answer is kept, in milliseconds. @default 60000 */
  ttlMs?: number;
}

interface Entry {
  value: StaticSecrets | Promise<StaticSecrets>;
  expires: number;
}

/**
 * Everything of the request but its headers: a tenant read from the path, the params or the query
 * gets a cache entry of its own. The query's fields are sorted (reordering them is the same
 * lookup) and the fragment dropped; a lookup keyed by a header needs a `key` of its own.
 */
function defaultKey({ params, url }: SecretRequest): string {
  const raw = url ?? "";
  const hash = raw.indexOf("#");
  const noFragment = hash >= 0 ? raw.slice(0, hash) : raw;
  const mark = noFragment.indexOf("?");
  const path = mark >= 0 ? noFragment.slice(0, mark) : noFragment;
  const query = mark >= 0 ? new URLSearchParams(noFragment.slice(mark + 1)) : undefined;
  query?.sort();
  const names = Object.keys(params).sort();
  return JSON.stringify([names.map((name) => [name, params[name]]), path, query?.toString() ?? ""]);
}

/**
 * Wraps a per-request secret lookup (a database or secrets-manager call) in a small bounded
 * cache: answers are kept `ttlMs` per key, at most `max` of them, concurrent lookups of one key
 * share one call, and a failed lookup is not kept.
 *
 * @example
 * const scheme = schemes.github({
 *   secret: cachedSecrets(async ({ params }) => db.webhookSecrets(params.tenant), { ttlMs: 30_000 }),
 * });
 */
export function cachedSecrets(lookup: SecretResolver, options: CachedSecretsOptions = {}): SecretResolver {
  if (typeof lookup !== "function") {
    throw checkOption.fail("cachedSecrets lookup", lookup, "a function that finds a request's secrets");
  }
  checkOption.object("cachedSecrets", options);
  const keyOf = checkOption.callback("cachedSecrets option key", options.key) ?? defaultKey;
  const max = checkOption.whole("cachedSecrets option max", options.max, 1000);
  const ttlMs = checkOption.number("cachedSecrets option ttlMs", options.ttlMs, 60_000, { infinite: true });
  const entries = new Map<string, Entry>();
  return (request) => {
    const key = keyOf(request);
    const now = Date.now();
    // Whether a handshake may establish a secret: a cached secret answers "no" (a handshake never
    // removes one), but a cached "none" is asked of the store again, and forgotten so the next
    // request reads the secret the handshake may store.
    if (request.handshake) {
      const cached = entries.get(key);
      const value = cached && cached.expires > now ? cached.value : undefined;
      if (value !== undefined && !(value instanceof Promise) && (!Array.isArray(value) || value.length > 0))
        return value;
      entries.delete(key);
      return lookup(request);
    }
    const hit = entries.get(key);
    if (hit && hit.expires > now) {
      // Re-insert: the map's order is least recently used first.
      entries.delete(key);
      entries.set(key, hit);
      return hit.value;
    }
    const value = lookup(request);
    const entry: Entry = { value, expires: now + ttlMs };
    entries.delete(key);
    entries.set(key, entry);
    while (entries.size > max) entries.delete(entries.keys().next().value!);
    if (value instanceof Promise) {
      value.then(
        (resolved) => {
          if (entries.get(key) === entry) entry.value = resolved;
        },
        () => {
          if (entries.get(key) === entry) entries.delete(key);
        },
      );
    }
    return value;
  };
}
