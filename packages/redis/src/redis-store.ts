import { randomBytes } from "node:crypto";
import { type Claim, type IdempotencyStore, WebhookError } from "@hookgate/core";
import { checkOption } from "@hookgate/core/kit";
import { redisKey } from "./internal/redis-key.js";
import { scriptRunner } from "./internal/run-script.js";
import { ADVANCE, BIND, CLAIM, COMPLETE, EXTEND, RELEASE, WATERMARK } from "./internal/scripts.js";
import type { RedisClientLike } from "./redis-client.js";

/** Options for {@link redisStore}. */
export interface RedisStoreOptions {
  /**
   * A Redis client you created and own (the store never connects or closes it): ioredis 5 or 6
   * (`new Redis(url)` or `new Cluster(nodes)`), or node-redis 4 or newer (`createClient()` /
   * `createCluster()`, connected). See the README for the client options that fail fast.
   */
  client: RedisClientLike;
  /**
   * Put before every key, to share one Redis between apps. It may not contain `{` or `}`: the
   * store keeps the hash tag for the delivery key.
   * @default "hookgate:"
   */
  prefix?: string;
}

// 128 random bits per lease: a token cannot be guessed to release or complete someone else's claim.
function newToken(): string {
  return randomBytes(16).toString("base64url");
}

function milliseconds(value: number, name: string): string {
  if (!Number.isFinite(value) || value <= 0) {
    throw new WebhookError("invalid_option", `hookgate: redisStore ${name} must be a positive number of ms`);
  }
  return String(Math.ceil(value));
}

/**
 * An idempotency store on Redis, shared by every instance that uses the same server or cluster.
 * Each call is one atomic Lua script run with EVALSHA: one round trip (plus one EVAL the first
 * time a server has not cached the script). Leases and completions expire on the Redis clock.
 *
 * @example
 * import { Redis } from "ioredis";
 * const client = new Redis(process.env.REDIS_URL!, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
 * createReceiver({ scheme, store: redisStore({ client }) });
 */
export function redisStore(options: RedisStoreOptions): IdempotencyStore {
  checkOption.object("redisStore", options, true);
  if (!options.client || typeof options.client !== "object") {
    throw checkOption.fail("redisStore option client", options.client, "an ioredis or node-redis client");
  }
  const prefix = checkOption.string("redisStore option prefix", options.prefix, "hookgate:", true);
  if (prefix.includes("{") || prefix.includes("}")) {
    throw new WebhookError(
      "invalid_option",
      "hookgate: redisStore prefix must be a string without { or } (the store puts the key's Redis Cluster hash tag after it)",
    );
  }
  const run = scriptRunner(options.client);
  const keyOf = (key: string) => redisKey(prefix, key);

  return {
    async claim(key, { lockMs }): Promise<Claim> {
      const token = newToken();
      const answer = Number(await run(CLAIM, keyOf(key), [`L${token}`, milliseconds(lockMs, "lockMs")]));
      if (answer === 1) return { status: "claimed", token };
      return answer === 2 ? { status: "completed" } : { status: "in-flight" };
    },
    async extend(key, token, { lockMs }) {
      return Number(await run(EXTEND, keyOf(key), [`L${token}`, milliseconds(lockMs, "lockMs")])) === 1;
    },
    async complete(key, token, { ttlMs }) {
      return Number(await run(COMPLETE, keyOf(key), [`L${token}`, milliseconds(ttlMs, "ttlMs")])) === 1;
    },
    async release(key, token) {
      await run(RELEASE, keyOf(key), [`L${token}`]);
    },
    async bind(key, value, { ttlMs, refresh }) {
      const ms = milliseconds(ttlMs, "bind ttlMs");
      // JSON keeps every JavaScript string exact: a lone surrogate, which has no UTF-8 form,
      // is written as its \u escape instead of becoming U+FFFD on the way to Redis.
      const bound = await run(BIND, `${keyOf(key)}:bind`, [
        JSON.stringify(value),
        ms,
        refresh === true ? "1" : "0",
      ]);
      return JSON.parse(String(bound)) as string;
    },
    async watermark(key) {
      const at = await run(WATERMARK, `${keyOf(key)}:order`, []);
      return at === null || at === undefined || at === false ? undefined : Number(at);
    },
    async advance(key, at, { ttlMs }) {
      if (!Number.isSafeInteger(at)) {
        throw new WebhookError("invalid_option", "hookgate: redisStore advance needs a whole number of ms");
      }
      const ms = milliseconds(ttlMs, "advance ttlMs");
      return Number(await run(ADVANCE, `${keyOf(key)}:order`, [String(at), ms])) === 1;
    },
  };
}
