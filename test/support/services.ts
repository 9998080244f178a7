import { connect } from "node:net";
import { describe, it } from "vitest";

/** Where the Redis tests connect. @default redis://127.0.0.1:6379 */
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** Where the PostgreSQL tests connect (trust auth). @default postgres://postgres@127.0.0.1:5432/test */
export const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Where the RabbitMQ tests connect. @default amqp://guest:guest@127.0.0.1:5672 */
export const AMQP_URL = process.env.AMQP_URL ?? "amqp://guest:guest@127.0.0.1:5672";
/** Where the NATS JetStream tests connect. @default nats://127.0.0.1:4222 */
export const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";

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
const rabbitmqUp = await reachable(AMQP_URL, 5672);
const natsUp = await reachable(NATS_URL, 4222);

/**
 * `describe` for tests that need something this machine may lack (a service, a binary). Present:
 * the suite runs. Absent under `HOOKGATE_REQUIRE_SERVICES=1` (CI): the suite fails. Absent
 * locally: the suite is not run, and one line says why — never counted as passing.
 */
export function describeNeeding(need: string, available: boolean) {
  return (name: string, body: () => void) => {
    if (!available && REQUIRE_SERVICES) {
      return describe(name, () => {
        it(`needs ${need}`, () => {
          throw new Error(`missing ${need}, and HOOKGATE_REQUIRE_SERVICES=1`);
        });
      });
    }
    if (!available)
      console.warn(`not running "${name}": needs ${need} (set HOOKGATE_REQUIRE_SERVICES=1 to fail instead)`);
    return describe.skipIf(!available)(name, body);
  };
}

/** `describe` for tests that need Redis at {@link REDIS_URL}. */
export const describeRedis = describeNeeding(`Redis at ${REDIS_URL}`, redisUp);
/** `describe` for tests that need PostgreSQL at {@link DATABASE_URL}. */
export const describePostgres = describeNeeding(`PostgreSQL at ${DATABASE_URL}`, postgresUp);
/** `describe` for tests that need RabbitMQ at {@link AMQP_URL}. */
export const describeRabbitmq = describeNeeding(`RabbitMQ at ${AMQP_URL}`, rabbitmqUp);
/** `describe` for tests that need NATS with JetStream at {@link NATS_URL}. */
export const describeNats = describeNeeding(`NATS JetStream at ${NATS_URL}`, natsUp);
