import { type Claim, type IdempotencyStore, WebhookError } from "@hookgate/core";
import { checkOption } from "@hookgate/core/kit";
import type { DurableObjectNamespaceBinding, DurableObjectStubBinding } from "./internal/bindings.js";
import type { StoreOp } from "./internal/store-ops.js";

/** Options for {@link durableObjectStore}. */
export interface DurableObjectStoreOptions {
  /** The namespace bound to `HookgateStoreObject`, e.g. `env.HOOKGATE_STORE`. */
  namespace: DurableObjectNamespaceBinding;
  /**
   * Durable Objects the keys are spread over (a key always maps to the same one). More shards,
   * more claims per second; changing it moves keys, so keys claimed before are forgotten. @default 32
   */
  shards?: number;
  /** Names the shards apart, for several stores on one namespace. @default "hookgate" */
  prefix?: string;
}

/** FNV-1a over the key's UTF-16 code units: a stable shard for a key, the same in every isolate. */
function shardOf(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % shards;
}

/**
 * The idempotency store in Durable Objects: each key belongs to one `HookgateStoreObject` (one of
 * `shards`), which decides its claims one at a time, so claims are strongly consistent across
 * every Worker, isolate and region. Export `HookgateStoreObject` from the Worker and bind it.
 *
 * @example
 * export { HookgateStoreObject } from "@hookgate/cloudflare";
 * export default { fetch: (request, env) => createReceiver({ scheme, store: durableObjectStore({ namespace: env.HOOKGATE_STORE }) }).fetch(request) };
 */
export function durableObjectStore(options: DurableObjectStoreOptions): IdempotencyStore {
  checkOption.object("durableObjectStore", options, true);
  const { namespace } = options;
  if (!namespace || typeof namespace.idFromName !== "function" || typeof namespace.get !== "function") {
    throw new WebhookError(
      "invalid_option",
      "hookgate: durableObjectStore needs { namespace }, a Durable Object namespace bound to HookgateStoreObject",
    );
  }
  const shards = checkOption.whole("durableObjectStore option shards", options.shards, 32);
  const prefix = checkOption.string("durableObjectStore option prefix", options.prefix, "hookgate");

  async function call<T>(op: StoreOp): Promise<T> {
    // A stub per call: a stub is an I/O object of the request that made it, and a receiver made
    // once per isolate serves many requests.
    const id = namespace.idFromName(`${prefix}:${shardOf(op.key, shards)}`);
    const stub: DurableObjectStubBinding = namespace.get(id as never);
    const response = await stub.fetch("https://hookgate-store.internal/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(op),
    });
    if (!response.ok) {
      throw new WebhookError(
        "store_unavailable",
        `hookgate: the store's Durable Object answered ${response.status}`,
      );
    }
    return ((await response.json()) as { answer: T }).answer;
  }

  return {
    claim: (key, { lockMs }) => call<Claim>({ op: "claim", key, lockMs }),
    extend: (key, token, { lockMs }) =>
      call<boolean>({ op: "take", key, token, completed: false, ms: lockMs }),
    complete: (key, token, { ttlMs }) =>
      call<boolean>({ op: "take", key, token, completed: true, ms: ttlMs }),
    release: async (key, token) => void (await call<null>({ op: "release", key, token })),
    async bind(key, value, { ttlMs, refresh }) {
      if (!Number.isFinite(ttlMs) || ttlMs <= 0) {
        throw new WebhookError(
          "invalid_option",
          `hookgate: durableObjectStore bind ttlMs must be a positive number of ms, got ${String(ttlMs)}`,
        );
      }
      return call<string>({ op: "bind", key, value, ttlMs, refresh: refresh === true });
    },
    async watermark(key) {
      return (await call<number | null>({ op: "watermark", key })) ?? undefined;
    },
    async advance(key, at, { ttlMs }) {
      if (!Number.isSafeInteger(at) || !Number.isFinite(ttlMs) || ttlMs <= 0) {
        throw new WebhookError(
          "invalid_option",
          `hookgate: durableObjectStore advance needs a whole number of ms and a positive ttlMs, got ${String(at)} and ${String(ttlMs)}`,
        );
      }
      return call<boolean>({ op: "advance", key, at, ttlMs });
    },
  };
}
