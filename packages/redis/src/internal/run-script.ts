import { WebhookError } from "@hookgate/core";
import type { IoredisClientLike, NodeRedisClientLike } from "../redis-client.js";
import type { Script } from "./scripts.js";

/** Runs a script on one key: one EVALSHA, plus one EVAL when the server does not have it cached. */
export type ScriptRunner = (script: Script, key: string, args: string[]) => Promise<unknown>;

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith("NOSCRIPT");
}

function isFunction(value: unknown): value is (...args: never[]) => unknown {
  return typeof value === "function";
}

/**
 * Tells the two client families apart by shape (node-redis names it `evalSha`, ioredis `evalsha`),
 * so neither library is imported here and either may be absent.
 */
export function scriptRunner(client: unknown): ScriptRunner {
  const candidate = client as Partial<Record<"evalSha" | "evalsha" | "eval", unknown>> | null;
  if (candidate && isFunction(candidate.evalSha) && isFunction(candidate.eval)) {
    const redis = client as NodeRedisClientLike;
    return async (script, key, args) => {
      const options = { keys: [key], arguments: args };
      try {
        return await redis.evalSha(script.sha, options);
      } catch (error) {
        // Not cached on this server (restart, failover, SCRIPT FLUSH): EVAL runs it and caches it.
        if (!isNoScript(error)) throw error;
        return redis.eval(script.source, options);
      }
    };
  }
  if (candidate && isFunction(candidate.evalsha) && isFunction(candidate.eval)) {
    const redis = client as IoredisClientLike;
    return async (script, key, args) => {
      try {
        return await redis.evalsha(script.sha, 1, key, ...args);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        return redis.eval(script.source, 1, key, ...args);
      }
    };
  }
  throw new WebhookError(
    "invalid_option",
    "hookgate: redisStore needs a Redis client: an ioredis `new Redis()` / `new Cluster()`, or a connected node-redis `createClient()` / `createCluster()`",
  );
}
