import type { OpStorage, StoreOp } from "./internal/store-ops.js";
import { expired, runStoreOp } from "./internal/store-ops.js";
import { newToken } from "./internal/token.js";

/** The Durable Object state `HookgateStoreObject` is constructed with (the parts it uses). */
export interface StoreObjectState {
  storage: OpStorage & {
    list<T>(options?: { prefix?: string; limit?: number }): Promise<Map<string, T>>;
    getAlarm(): Promise<number | null>;
    setAlarm(at: number): Promise<void>;
  };
}

/** How often a shard deletes its expired keys, in ms. */
const PRUNE_EVERY_MS = 60_000;

/**
 * The Durable Object behind `durableObjectStore`: one instance per key shard holds its keys'
 * claims and bindings in transactional storage, and runs each request to the end before the
 * next (the input gate), so a claim is decided once for every Worker and region. Export it from
 * your Worker and bind it (`[[durable_objects.bindings]] class_name = "HookgateStoreObject"`,
 * with a `new_sqlite_classes` or `new_classes` migration). Expired keys are deleted by an alarm.
 *
 * @example
 * export { HookgateStoreObject } from "@hookgate/cloudflare";
 */
export class HookgateStoreObject {
  readonly #state: StoreObjectState;

  constructor(state: StoreObjectState, _env?: unknown) {
    this.#state = state;
  }

  /** Runs one store operation, POSTed as JSON by `durableObjectStore`. */
  async fetch(request: Request): Promise<Response> {
    if (request.method !== "POST") return new Response(null, { status: 405, headers: { allow: "POST" } });
    const op = (await request.json()) as StoreOp;
    const answer = await runStoreOp(this.#state.storage, op, Date.now(), newToken);
    if ((await this.#state.storage.getAlarm()) === null) {
      await this.#state.storage.setAlarm(Date.now() + PRUNE_EVERY_MS);
    }
    return Response.json({ answer });
  }

  /** Deletes the shard's expired claims and bindings; runs again while any key is left. */
  async alarm(): Promise<void> {
    const at = Date.now();
    const rows = await this.#state.storage.list<unknown>();
    let left = 0;
    for (const [key, row] of rows) {
      if (expired(row, at)) await this.#state.storage.delete(key);
      else left++;
    }
    if (left > 0) await this.#state.storage.setAlarm(at + PRUNE_EVERY_MS);
  }
}
