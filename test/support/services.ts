import { connect } from "node:net";
import { describe, it } from "vitest";

/** Where the Redis tests connect. @default redis://127.0.0.1:6379 */
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** Where the PostgreSQL tests connect (trust auth). @default postgres://postgres@127.0.0.1:5432/test */
export const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Set by `.ci/run`: a service that is down fails its tests instead of skipping them. */
export const REQUIRE_SERVICES = process.env.HOOKGATE_REQUIRE_SERVICES === "1";

/** True when something accepts TCP connections at the URL's host and port within `timeoutMs`. */
export function reachable(url: string, defaultPort: number, timeoutMs = 1000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname.replace(/^\[|\]$/g, ""), port: Number(port || defaultPort) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

const redisUp = await reachable(REDIS_URL, 6379);
const postgresUp = await reachable(DATABASE_URL, 5432);

function describeService(service: string, url: string, up: boolean) {
  return (name: string, body: () => void) => {
    if (up) return describe(name, body);
    if (REQUIRE_SERVICES) {
      // Under CI a missing service is a failure, never a silent skip.
      return describe(name, () => {
        it(`needs ${service} at ${url}`, () => {
          throw new Error(`${service} is not reachable at ${url} and HOOKGATE_REQUIRE_SERVICES=1`);
        });
      });
    }
    console.warn(
      `skipping "${name}": ${service} is not reachable at ${url} (set HOOKGATE_REQUIRE_SERVICES=1 to fail instead)`,
    );
    return describe.skip(name, body);
  };
}

/** `describe` for tests that need Redis at {@link REDIS_URL}. */
export const describeRedis = describeService("Redis", REDIS_URL, redisUp);
/** `describe` for tests that need PostgreSQL at {@link DATABASE_URL}. */
export const describePostgres = describeService("PostgreSQL", DATABASE_URL, postgresUp);
