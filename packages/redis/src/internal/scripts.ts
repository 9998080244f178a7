import { createHash } from "node:crypto";

/** A Lua script and its SHA-1, the name EVALSHA runs it by. */
export interface Script {
  readonly name: string;
  readonly source: string;
  readonly sha: string;
}

function script(name: string, source: string): Script {
  return { name, source, sha: createHash("sha1").update(source).digest("hex") };
}

// One key per store key. Its value is "L<token>" while a lease is held and "D" once completed;
// its expiry (PX) is the lease's or the completion's, counted on the Redis server's clock, so
// instances with skewed clocks agree on when a lease ends. A key that is absent is free: never
// claimed, released, or its lease or completion expired.
//
// ARGV[1] is always the lease value "L<token>" (claim's is a fresh token), ARGV[2] milliseconds.
// No token value can equal "D", so a completion never matches a lease comparison.

/** 1 claimed, 0 in flight, 2 completed. */
export const CLAIM = script(
  "claim",
  `local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if v == 'D' then return 2 end
return 0`,
);

/** 1 renewed; 0 lost (another live lease, or completed). A free key is taken back. */
export const EXTEND = script(
  "extend",
  `local v = redis.call('GET', KEYS[1])
if (not v) or v == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`,
);

/** 1 completed; 0 lost (another live lease, or already completed). */
export const COMPLETE = script(
  "complete",
  `local v = redis.call('GET', KEYS[1])
if (not v) or v == ARGV[1] then
  redis.call('SET', KEYS[1], 'D', 'PX', ARGV[2])
  return 1
end
return 0`,
);

/** Deletes the key only while this token's lease holds it. */
export const RELEASE = script(
  "release",
  `if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
end
return 0`,
);

// Bindings live under `<claim key>:bind`: a claim key always ends with the `}` of its hash tag,
// so the two never meet, and both hash to the delivery key's slot. ARGV[1] is the value (as the
// store encodes it), ARGV[2] milliseconds, ARGV[3] "1" to refresh a binding that is found.

/** The value bound to the key: ARGV[1] if it had none (bound now for ARGV[2] ms), else the earlier one. */
export const BIND = script(
  "bind",
  `local v = redis.call('GET', KEYS[1])
if not v then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ARGV[1]
end
if ARGV[3] == '1' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return v`,
);

// Watermarks (`ordering`) live under `<claim key>:order`, beside bindings: their own key in the
// delivery key's slot. The value is the time in ms as a decimal string; ARGV[1] is the time,
// ARGV[2] milliseconds to keep it. Lua numbers are doubles: exact for every ms time up to 2^53.

/** 1 advanced (no watermark, or one at or before ARGV[1]: set, kept ARGV[2] ms); 0 a newer one holds. */
export const ADVANCE = script(
  "advance",
  `local v = redis.call('GET', KEYS[1])
if v and tonumber(v) > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`,
);

/** The watermark as its decimal string, or false when there is none. */
export const WATERMARK = script("watermark", `return redis.call('GET', KEYS[1])`);
