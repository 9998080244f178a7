import { createHash } from "node:crypto";

/** Longest store key kept readable in Redis; longer ones are stored under their digest. */
export const MAX_READABLE_KEY = 200;

// A lone surrogate has no UTF-8 form: clients would write U+FFFD for it, so two different keys
// could meet in one Redis key. Such keys are stored under their digest instead.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The Redis key for a store key: `prefix{key}`. The braces are a Redis Cluster hash tag, so the
 * slot depends on the store key alone and each store call touches one key in one slot. A key
 * that is long, holds a brace (which would end or shift the tag), a lone surrogate, or starts
 * with `#` is written `prefix{#<sha256>}` instead: bounded in size, and never equal to a
 * readable key, which cannot start with `#`.
 */
export function redisKey(prefix: string, key: string): string {
  const readable =
    key.length <= MAX_READABLE_KEY &&
    !key.startsWith("#") &&
    !key.includes("{") &&
    !key.includes("}") &&
    !LONE_SURROGATE.test(key);
  if (readable) return `${prefix}{${key}}`;
  // UTF-16 code units, so the digest is of the exact JavaScript string, lone surrogates included.
  const digest = createHash("sha256").update(Buffer.from(key, "utf16le")).digest("base64url");
  return `${prefix}{#${digest}}`;
}
