// The store's operations as the Durable Object runs them: one request, one key, run to the end
// before the object takes the next (its input gate holds other requests while storage is awaited).
import type { Claim } from "@hookgate/core";

/** One request from `durableObjectStore` to `HookgateStoreObject`. */
export type StoreOp =
  | { op: "claim"; key: string; lockMs: number }
  | { op: "take"; key: string; token: string; completed: boolean; ms: number }
  | { op: "release"; key: string; token: string }
  | { op: "bind"; key: string; value: string; ttlMs: number; refresh: boolean }
  | { op: "watermark"; key: string }
  | { op: "advance"; key: string; at: number; ttlMs: number };

/** A key's claim as kept in the object's storage. */
export interface KeptClaim {
  token: string;
  completed: boolean;
  expiresAt: number;
}

/** A binding as kept in the object's storage. */
export interface KeptBinding {
  value: string;
  expiresAt: number;
}

/** The Durable Object storage calls the operations use. */
export interface OpStorage {
  get<T>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
  delete(key: string): Promise<boolean>;
}

/** Runs one operation against the object's storage at time `at`; the answer is plain JSON. */
export async function runStoreOp(
  storage: OpStorage,
  request: StoreOp,
  at: number,
  token: () => string,
): Promise<Claim | boolean | string | number | null> {
  if (request.op === "watermark" || request.op === "advance") return runWatermarkOp(storage, request, at);
  const claimKey = `c:${request.key}`;
  if (request.op === "claim") {
    const row = await storage.get<KeptClaim>(claimKey);
    if (row && row.expiresAt > at) return row.completed ? { status: "completed" } : { status: "in-flight" };
    const fresh = token();
    await storage.put<KeptClaim>(claimKey, {
      token: fresh,
      completed: false,
      expiresAt: at + request.lockMs,
    });
    return { status: "claimed", token: fresh };
  }
  if (request.op === "take") {
    const row = await storage.get<KeptClaim>(claimKey);
    const holds = !row || row.expiresAt <= at || (!row.completed && row.token === request.token);
    if (!holds) return false;
    await storage.put<KeptClaim>(claimKey, {
      token: request.token,
      completed: request.completed,
      expiresAt: at + request.ms,
    });
    return true;
  }
  if (request.op === "release") {
    const row = await storage.get<KeptClaim>(claimKey);
    if (row && !row.completed && row.token === request.token) await storage.delete(claimKey);
    return null;
  }
  const bindKey = `b:${request.key}`;
  const row = await storage.get<KeptBinding>(bindKey);
  const live = row !== undefined && row.expiresAt > at;
  const value = live ? row.value : request.value;
  const expiresAt = live && !request.refresh ? row.expiresAt : at + request.ttlMs;
  if (!live || request.refresh) await storage.put<KeptBinding>(bindKey, { value, expiresAt });
  return value;
}

/** Whether a kept row has expired by `at` (for pruning). */
export function expired(row: unknown, at: number): boolean {
  const expiresAt = (row as { expiresAt?: unknown } | null)?.expiresAt;
  return typeof expiresAt === "number" && expiresAt <= at;
}

/** A resource's watermark as kept in the object's storage. */
interface KeptWatermark {
  at: number;
  expiresAt: number;
}

/** `watermark` and `advance`: moved only forward, or over an expired one; `null` for none. */
async function runWatermarkOp(
  storage: OpStorage,
  request: Extract<StoreOp, { op: "watermark" | "advance" }>,
  now: number,
): Promise<boolean | number | null> {
  const key = `w:${request.key}`;
  const row = await storage.get<KeptWatermark>(key);
  const live = row !== undefined && row.expiresAt > now;
  if (request.op === "watermark") return live ? row.at : null;
  if (live && row.at > request.at) return false;
  await storage.put<KeptWatermark>(key, { at: request.at, expiresAt: now + request.ttlMs });
  return true;
}
