import { bullmqQueue, createWorker as bullmqWorker } from "@hookgate/bullmq";
import {
  cachedSecrets,
  createReceiver,
  memoryJournal,
  memoryQueue,
  memoryStore,
  schemes,
  verify,
  WebhookError,
} from "@hookgate/core";
import { pgBossQueue, createWorker as pgBossWorker } from "@hookgate/pg-boss";
import { postgresJournal, postgresStore } from "@hookgate/postgres";
import { redisStore } from "@hookgate/redis";
import { sqliteJournal, sqliteStore } from "@hookgate/sqlite";
import { Queue } from "bullmq";
import fc from "fast-check";
import { Redis } from "ioredis";
import pg from "pg";
import PgBoss from "pg-boss";
import { afterAll, describe, expect, it } from "vitest";
import { genuineDeliveries } from "../property/genuine.js";

// Issue 18, "validated options everywhere": every public entry point refuses NaN, negatives,
// fractions where a whole number is needed and unknown values with invalid_option, naming the
// option and the value — never a limit silently turned off, never a check that passes anything.

const SECRET = "whsec_r2_options";
const stripe = schemes.stripe({ secret: SECRET });

async function signedStripe(at = new Date()) {
  const rawBody = JSON.stringify({ id: "evt_r2_options", type: "invoice.paid", data: {} });
  return { headers: await stripe.sign({ rawBody, timestamp: at }), rawBody };
}

/** The error `run` throws or rejects with, or undefined if it succeeds (what it made is closed). */
async function refusalOf(run: () => unknown): Promise<unknown> {
  let made: unknown;
  try {
    made = await run();
  } catch (error) {
    return error;
  }
  await (made as { close?: () => Promise<void> } | undefined)?.close?.().catch(() => {});
  return undefined;
}

// Real clients, never connected by the option checks (nothing is sent before they pass).
const redis = new Redis("redis://127.0.0.1:6379", { lazyConnect: true });
const pool = new pg.Pool({ connectionString: "postgres://127.0.0.1:5432/test" });
const boss = new PgBoss({ connectionString: "postgres://127.0.0.1:5432/test" });
const bullQueue = new Queue("r2-options", {
  connection: { host: "127.0.0.1", port: 6379, lazyConnect: true },
});
const connection = { host: "127.0.0.1", port: 6379, lazyConnect: true };
const receiver = createReceiver({ scheme: stripe });

afterAll(async () => {
  await bullQueue.close();
  redis.disconnect();
  await pool.end();
});

/** [entry point, option as named in the message, bad value, the call]. */
type Case = [entry: string, option: string, value: unknown, run: (value: never) => unknown];

const cases: Case[] = [
  // verify() and scheme.verify
  [
    "verify",
    "tolerance",
    Number.NaN,
    async (tolerance) => verify(stripe, await signedStripe(), { tolerance }),
  ],
  ["verify", "tolerance", -1, async (tolerance) => verify(stripe, await signedStripe(), { tolerance })],
  ["verify", "tolerance", "300", async (tolerance) => verify(stripe, await signedStripe(), { tolerance })],
  ["verify", "now", new Date(Number.NaN), async (now) => verify(stripe, await signedStripe(), { now })],
  ["verify", "now", "2024-01-01", async (now) => verify(stripe, await signedStripe(), { now })],
  [
    "scheme.verify",
    "tolerance",
    Number.NaN,
    async (tolerance) => stripe.verify(await signedStripe(), { tolerance }),
  ],
  ["scheme.verify", "now", new Date(Number.NaN), async (now) => stripe.verify(await signedStripe(), { now })],
  // createReceiver
  ["createReceiver", "tolerance", Number.NaN, (tolerance) => createReceiver({ scheme: stripe, tolerance })],
  ["createReceiver", "maxBodyBytes", -1, (maxBodyBytes) => createReceiver({ scheme: stripe, maxBodyBytes })],
  [
    "createReceiver",
    "bodyTimeoutMs",
    1.5,
    (bodyTimeoutMs) => createReceiver({ scheme: stripe, bodyTimeoutMs }),
  ],
  ["createReceiver", "lockMs", Number.NaN, (lockMs) => createReceiver({ scheme: stripe, lockMs })],
  [
    "createReceiver",
    "unknownEvents",
    "ignore",
    (unknownEvents) => createReceiver({ scheme: stripe, unknownEvents }),
  ],
  // memoryStore, memoryQueue, memoryJournal, cachedSecrets
  ["memoryStore", "maxKeys", Number.NaN, (maxKeys) => memoryStore({ maxKeys })],
  ["memoryStore", "maxKeys", 2.5, (maxKeys) => memoryStore({ maxKeys })],
  ["memoryStore", "now", "yesterday", (now) => memoryStore({ now })],
  ["memoryQueue", "concurrency", Number.NaN, (concurrency) => memoryQueue({ concurrency })],
  ["memoryQueue", "concurrency", -1, (concurrency) => memoryQueue({ concurrency })],
  ["memoryQueue", "maxPending", 0.5, (maxPending) => memoryQueue({ maxPending })],
  ["memoryQueue", "attempts", Number.NaN, (attempts) => memoryQueue({ retry: { attempts } })],
  ["memoryQueue", "backoff", -1000, (backoff) => memoryQueue({ retry: { backoff } })],
  ["memoryQueue", "onDeadLetter", "log", (onDeadLetter) => memoryQueue({ onDeadLetter })],
  ["memoryQueue", "inFlightDelayMs", -1, (inFlightDelayMs) => memoryQueue({ retry: { inFlightDelayMs } })],
  ["memoryQueue", "once", "yes", (once) => memoryQueue({ once })],
  ["memoryJournal", "max", Number.NaN, (max) => memoryJournal({ max })],
  ["memoryJournal", "retainMs", -1, (retainMs) => memoryJournal({ retainMs })],
  ["memoryJournal", "keepRejected", 1.5, (keepRejected) => memoryJournal({ keepRejected })],
  ["memoryJournal", "redactHeaders", "x-api-key", (redactHeaders) => memoryJournal({ redactHeaders })],
  ["memoryJournal", "now", 0, (now) => memoryJournal({ now })],
  ["cachedSecrets", "max", Number.NaN, (max) => cachedSecrets(() => SECRET, { max })],
  ["cachedSecrets", "max", -1, (max) => cachedSecrets(() => SECRET, { max })],
  ["cachedSecrets", "ttlMs", Number.NaN, (ttlMs) => cachedSecrets(() => SECRET, { ttlMs })],
  ["cachedSecrets", "ttlMs", -5, (ttlMs) => cachedSecrets(() => SECRET, { ttlMs })],
  ["cachedSecrets", "key", "tenant", (key) => cachedSecrets(() => SECRET, { key })],
  ["cachedSecrets", "lookup", "whsec_x", (lookup) => cachedSecrets(lookup)],
  // Redis, PostgreSQL and SQLite stores and journals
  ["redisStore", "prefix", 42, (prefix) => redisStore({ client: redis, prefix })],
  ["redisStore", "client", undefined, (client) => redisStore({ client })],
  ["postgresStore", "pruneBatch", Number.NaN, (pruneBatch) => postgresStore({ pool, pruneBatch })],
  ["postgresStore", "pruneBatch", -1, (pruneBatch) => postgresStore({ pool, pruneBatch })],
  ["postgresStore", "prepare", "no", (prepare) => postgresStore({ pool, prepare })],
  ["postgresJournal", "retainMs", Number.NaN, (retainMs) => postgresJournal({ pool, retainMs })],
  ["postgresJournal", "keepRejected", -1, (keepRejected) => postgresJournal({ pool, keepRejected })],
  ["postgresJournal", "prepare", "no", (prepare) => postgresJournal({ pool, prepare })],
  ["sqliteStore", "now", "now", (now) => sqliteStore({ path: ":memory:", now })],
  ["sqliteJournal", "retainMs", Number.NaN, (retainMs) => sqliteJournal({ path: ":memory:", retainMs })],
  ["sqliteJournal", "keepRejected", 2.5, (keepRejected) => sqliteJournal({ path: ":memory:", keepRejected })],
  // BullMQ and pg-boss queues and workers
  // The receiver's queueTimeoutMs bounds every queue: BullMQ's own timeout is refused, whatever its value.
  [
    "bullmqQueue",
    "timeoutMs",
    undefined,
    (timeoutMs) => bullmqQueue({ queue: bullQueue, timeoutMs } as Parameters<typeof bullmqQueue>[0]),
  ],
  [
    "bullmqQueue",
    "attempts",
    Number.NaN,
    (attempts) => bullmqQueue({ queue: bullQueue, jobOptions: { attempts } }),
  ],
  [
    "createWorker",
    "inFlightDelayMs",
    Number.NaN,
    (inFlightDelayMs) => bullmqWorker(receiver, { connection, inFlightDelayMs }),
  ],
  [
    "createWorker",
    "inFlightDelayMs",
    -1,
    (inFlightDelayMs) => bullmqWorker(receiver, { connection, inFlightDelayMs }),
  ],
  [
    "createWorker",
    "concurrency",
    Number.NaN,
    (concurrency) => bullmqWorker(receiver, { connection, concurrency }),
  ],
  ["createWorker", "concurrency", 1.5, (concurrency) => bullmqWorker(receiver, { connection, concurrency })],
  ["createWorker", "verify", "yes", (verify) => bullmqWorker(receiver, { connection, verify })],
  ["pgBossQueue", "retry.limit", Number.NaN, (limit) => pgBossQueue({ boss, retry: { limit } })],
  ["pgBossQueue", "retry.delaySeconds", -1, (delaySeconds) => pgBossQueue({ boss, retry: { delaySeconds } })],
  ["pgBossQueue", "retry.backoff", "yes", (backoff) => pgBossQueue({ boss, retry: { backoff } })],
  ["pgBossQueue", "expireInSeconds", 1.5, (expireInSeconds) => pgBossQueue({ boss, expireInSeconds })],
  ["pgBossQueue", "deadLetter", 5, (deadLetter) => pgBossQueue({ boss, deadLetter })],
  ["createWorker", "concurrency", Number.NaN, (concurrency) => pgBossWorker(receiver, { boss, concurrency })],
  ["createWorker", "batchSize", -1, (batchSize) => pgBossWorker(receiver, { boss, batchSize })],
  [
    "createWorker",
    "pollingIntervalSeconds",
    Number.NaN,
    (pollingIntervalSeconds) => pgBossWorker(receiver, { boss, pollingIntervalSeconds }),
  ],
  ["createWorker", "verify", "yes", (verify) => pgBossWorker(receiver, { boss, verify })],
  [
    "createWorker",
    "inFlightDelayMs",
    -1,
    (inFlightDelayMs) => pgBossWorker(receiver, { boss, inFlightDelayMs }),
  ],
  [
    "createWorker",
    "expireCheckIntervalSeconds",
    Number.NaN,
    (expireCheckIntervalSeconds) => pgBossWorker(receiver, { boss, expireCheckIntervalSeconds }),
  ],
];

/** How the message shows the value: numbers as written, strings quoted, an invalid Date as such. */
function shown(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value instanceof Date) return "invalid";
  return String(value);
}

describe("issue 18: validated options everywhere", () => {
  it.each(cases)("%s refuses %s = %o with invalid_option naming it", async (entry, option, value, run) => {
    const error = await refusalOf(() => run(value as never));
    expect(error).toBeInstanceOf(WebhookError);
    expect(error).toMatchObject({ code: "invalid_option" });
    const { message } = error as WebhookError;
    expect(message).toMatch(/^hookgate: /);
    expect(message).toContain(entry.split(".")[0]);
    expect(message).toContain(option.split(".").pop());
    if (value !== undefined) expect(message).toContain(shown(value));
  });
});

describe("issue 18 hole 20: verify() validates its options", () => {
  it("issue 18 hole 20: verify(scheme, input, { tolerance: NaN }) refuses a 30-day-old Stripe delivery", async () => {
    const old = await signedStripe(new Date(Date.now() - 30 * 24 * 3600 * 1000));
    await expect(verify(stripe, old)).rejects.toMatchObject({ code: "timestamp_too_old" });
    await expect(verify(stripe, old, { tolerance: Number.NaN })).rejects.toMatchObject({
      code: "invalid_option",
    });
    await expect(stripe.verify(old, { tolerance: Number.NaN })).rejects.toMatchObject({
      code: "invalid_option",
    });
    // An invalid clock is refused too, rather than judging freshness against NaN.
    await expect(verify(stripe, old, { now: new Date(Number.NaN) })).rejects.toMatchObject({
      code: "invalid_option",
    });
  });

  it("issue 18 hole 20: tolerance -1 says what a tolerance must be", async () => {
    const error = await refusalOf(async () => verify(stripe, await signedStripe(), { tolerance: -1 }));
    expect(error).toMatchObject({ code: "invalid_option" });
    expect((error as Error).message).toMatch(
      /verify option tolerance must be a positive number of seconds.*got -1/,
    );
  });

  it("Infinity still turns the freshness check off, for trusted replays", async () => {
    const old = await signedStripe(new Date(Date.now() - 30 * 24 * 3600 * 1000));
    await expect(verify(stripe, old, { tolerance: Number.POSITIVE_INFINITY })).resolves.toMatchObject({
      type: "invoice.paid",
    });
  });
});

describe("issue 18: verify options, for every scheme", () => {
  const RUNS = process.env.CI ? 10_000 : Number(process.env.HOOKGATE_PROPERTY_RUNS ?? 1_500);
  const badTolerance = fc.oneof(
    fc.constantFrom(Number.NaN, 0, -0, -1, Number.NEGATIVE_INFINITY, "300", null, true),
    fc.double({ max: 0, noNaN: true }),
    fc.string(),
  );
  const badNow = fc.oneof(
    fc.constant(new Date(Number.NaN)),
    fc.constantFrom("2024-01-01", 0, Date.now(), null, {}),
  );
  const badOptions = fc.oneof(
    badTolerance.map((tolerance) => ({ tolerance })),
    badNow.map((now) => ({ now })),
  );

  it("verify() and scheme.verify refuse every invalid tolerance and clock with invalid_option, whatever the scheme", async () => {
    const signedAt = new Date();
    const genuine = await genuineDeliveries(signedAt);
    expect(genuine.length).toBeGreaterThan(30);
    await fc.assert(
      fc.asyncProperty(fc.nat(genuine.length - 1), badOptions, async (index, options) => {
        const delivery = genuine[index]!;
        const input = { headers: delivery.headers, rawBody: delivery.body, url: delivery.url };
        for (const run of [
          () => verify(delivery.scheme, input, options as never),
          () => delivery.scheme.verify(input, options as never),
        ]) {
          const error = await refusalOf(run);
          expect(error).toMatchObject({ code: "invalid_option" });
        }
      }),
      { numRuns: RUNS },
    );
  });
});
