import { randomBytes } from "node:crypto";
import { type IdempotencyStore, isWebhookError } from "@hookgate/core";
import { storeConformance } from "@hookgate/testing";
import { Redis } from "ioredis";
import { Redis as Redis5 } from "ioredis5";
import { createClient } from "redis";
import { createClient as createClient4 } from "redis4";
import { createClient as createClient5 } from "redis5";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRedis, REDIS_URL } from "../../../test/support/services.js";
import { redisKey } from "./internal/redis-key.js";
import type { RedisClientLike } from "./redis-client.js";
import { redisStore } from "./redis-store.js";

const prefix = `hookgate-test:redis-store:${randomBytes(4).toString("hex")}:`;

interface Flavour {
  name: string;
  connect: () => Promise<{ client: RedisClientLike; close: () => Promise<unknown> }>;
}

// Each client is passed as its own library types it, with no cast: the store accepts them all.
async function connected(
  client: RedisClientLike & { connect(): Promise<unknown>; quit(): Promise<unknown> },
) {
  await client.connect();
  return { client, close: () => client.quit() };
}
const ioredisOptions = { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: true };

const flavours: Flavour[] = [
  { name: "ioredis 6", connect: () => connected(new Redis(REDIS_URL, ioredisOptions)) },
  { name: "ioredis 5", connect: () => connected(new Redis5(REDIS_URL, ioredisOptions)) },
  { name: "node-redis 6", connect: () => connected(createClient({ url: REDIS_URL })) },
  { name: "node-redis 5", connect: () => connected(createClient5({ url: REDIS_URL })) },
  { name: "node-redis 4", connect: () => connected(createClient4({ url: REDIS_URL })) },
];

// The flavours run side by side (each scenario uses its own keys), with a lease long enough that
// a busy machine's scheduling never outlasts it.
describeRedis("redisStore conformance", () => {
  const connections = new Map<string, Awaited<ReturnType<Flavour["connect"]>>>();
  beforeAll(async () => {
    for (const flavour of flavours) connections.set(flavour.name, await flavour.connect());
  });
  afterAll(() => Promise.all([...connections.values()].map((c) => c.close())));

  describe.concurrent("every flavour", () => {
    for (const flavour of flavours) {
      const makeStore = () => redisStore({ client: connections.get(flavour.name)!.client, prefix });
      const scenarios = storeConformance(makeStore, {
        keyPrefix: `${flavour.name}:${Date.now()}`,
        shortLockMs: 300,
      });
      for (const scenario of scenarios) it(`${flavour.name}: ${scenario.name}`, scenario.run);
    }
  });
});

describeRedis("redisStore keys", () => {
  let client: Redis;
  let store: IdempotencyStore;
  beforeAll(async () => {
    client = new Redis(REDIS_URL, { lazyConnect: true });
    await client.connect();
    store = redisStore({ client, prefix });
  });
  afterAll(() => client?.quit());

  it("stores a plain key readably under the prefix, as one Redis key in the key's own hash slot", async () => {
    const claim = await store.claim("stripe:evt_1", { lockMs: 5000, ttlMs: 60_000 });
    expect(claim.status).toBe("claimed");
    const keys = await client.keys(`${prefix}*stripe:evt_1*`);
    expect(keys).toEqual([`${prefix}{stripe:evt_1}`]);
    expect(await client.pttl(keys[0]!)).toBeGreaterThan(4000);
  });

  it("keeps a binding beside the claim key, in the same hash slot, never equal to any claim key", async () => {
    expect(await store.bind("tenant:acme", "ns-1", { ttlMs: 60_000 })).toBe("ns-1");
    const keys = await client.keys(`${prefix}*tenant:acme*`);
    expect(keys).toEqual([`${prefix}{tenant:acme}:bind`]);
    expect(await client.pttl(keys[0]!)).toBeGreaterThan(50_000);
  });

  it("keeps a watermark beside the claim key, in the same hash slot, as its time in ms", async () => {
    expect(await store.advance!("order:stripe:t:sub_1", 1_700_000_000_123, { ttlMs: 60_000 })).toBe(true);
    const keys = await client.keys(`${prefix}*order:stripe:t:sub_1*`);
    expect(keys).toEqual([`${prefix}{order:stripe:t:sub_1}:order`]);
    expect(await client.get(keys[0]!)).toBe("1700000000123");
    expect(await client.pttl(keys[0]!)).toBeGreaterThan(50_000);
    expect(await store.watermark!("order:stripe:t:sub_1")).toBe(1_700_000_000_123);
  });

  it("bounds long keys and keeps lookalike keys apart", async () => {
    const long = "k".repeat(10_000);
    expect(redisKey(prefix, long).length).toBeLessThan(prefix.length + 50);
    const digestLike = redisKey(prefix, "}");
    const lone = ["\uD800", "\uDFFF", "\uFFFD"].map((k) => redisKey(prefix, k));
    expect(new Set(lone).size).toBe(3);
    expect(redisKey(prefix, digestLike.slice(prefix.length + 1, -1))).not.toBe(digestLike);
    for (const k of [long, "\uD800", "\uDFFF", "\uFFFD", "#x", "a}b"]) {
      const claim = await store.claim(`bounds:${k}`, { lockMs: 5000, ttlMs: 60_000 });
      expect(claim.status, k.slice(0, 10)).toBe("claimed");
    }
  });

  it("gives each claim 128 random bits of token", async () => {
    const tokens = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const claim = await store.claim(`token:${i}`, { lockMs: 5000, ttlMs: 60_000 });
      if (claim.status !== "claimed") throw new Error(claim.status);
      expect(Buffer.from(claim.token, "base64url")).toHaveLength(16);
      tokens.add(claim.token);
    }
    expect(tokens.size).toBe(20);
  });
});

describe("redisStore set-up errors", () => {
  it("refuses something that is not a Redis client", () => {
    expect(() => redisStore({ client: {} as RedisClientLike })).toThrowError(/ioredis .* node-redis/);
  });

  it("refuses a prefix with braces, which would move every key to one cluster slot", () => {
    const client = { evalsha: async () => 0, eval: async () => 0 };
    try {
      redisStore({ client, prefix: "app{1}:" });
      expect.unreachable();
    } catch (error) {
      expect(isWebhookError(error) && error.code).toBe("invalid_option");
    }
  });
});
