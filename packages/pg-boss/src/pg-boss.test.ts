import {
  createReceiver,
  findJournalEntry,
  type HandleResult,
  memoryJournal,
  memoryStore,
  type QueuedDelivery,
  schemes,
} from "@hookgate/core";
import pg from "pg";
import PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_URL, describePostgres } from "../../../test/support/services.js";
import { createWorker } from "./create-worker.js";
import { uuidV5 } from "./internal/uuid-v5.js";
import { deliveryJobId } from "./job-id.js";
import { pgBossQueue } from "./pg-boss-queue.js";

const secret = "whsec_pg_boss_unit";
const scheme = schemes.stripe({ secret });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

describe("deliveryJobId", () => {
  it("is a UUIDv5 (RFC 9562 test vector) of the delivery key", () => {
    expect(uuidV5("python.org", "6ba7b810-9dad-11d1-80b4-00c04fd430c8")).toBe(
      "886313e1-3b8a-5372-9b90-0c9aee199e5d",
    );
    const a = deliveryJobId({ key: "stripe:evt_1", scheme: "stripe", id: "evt_1" });
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(deliveryJobId({ key: "stripe:evt_1", scheme: "other", id: "x" })).toBe(a);
    expect(deliveryJobId({ key: "stripe:evt_2", scheme: "stripe", id: "evt_2" })).not.toBe(a);
    expect(deliveryJobId({ scheme: "stripe", id: "evt_1" })).toBe(a);
  });
});

describePostgres("pgBossQueue + createWorker", () => {
  const schema = "hookgate_test_pgboss_unit";
  let boss: PgBoss;
  const errors: Error[] = [];
  const dropSchema = async () => {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  };

  beforeAll(async () => {
    boss = new PgBoss({
      connectionString: DATABASE_URL,
      schema,
      max: 6,
      schedule: false,
      supervise: true,
      maintenanceIntervalSeconds: 1,
    });
    boss.on("error", (error) => errors.push(error));
    await dropSchema();
    await boss.start();
  });
  afterAll(async () => {
    await boss.stop({ graceful: false, wait: true });
    await dropSchema();
  });

  /** A receiver on `queue` with a handler that records each run, and a way to send it signed deliveries. */
  function setUp(name: string, options: Omit<Parameters<typeof pgBossQueue>[0], "boss" | "name"> = {}) {
    const queue = pgBossQueue({ boss, name, ...options });
    const store = memoryStore();
    const journal = memoryJournal();
    const receiver = createReceiver({ scheme, store, queue, journal, lockMs: 1000 });
    const runs: string[] = [];
    const send = async (id: string, extra: Record<string, unknown> = {}): Promise<HandleResult> => {
      const rawBody = JSON.stringify({ id, object: "event", type: "invoice.paid", data: { object: extra } });
      return receiver.handle({ headers: await scheme.sign({ rawBody }), rawBody });
    };
    /** The key a delivery was claimed, journaled and queued under (scheme, the secrets' identity, id). */
    const keyOf = async (id: string) => (await journal.list({ id })).entries[0]!.key;
    return { queue, store, journal, receiver, runs, send, keyOf };
  }

  it("enqueues each delivery as one job, and the worker runs its handlers once", async () => {
    const { queue, receiver, runs, send, keyOf } = setUp("unit-once");
    await queue.setup();
    await queue.setup(); // idempotent
    receiver.on("invoice.paid", (event) => {
      runs.push(event.id);
    });
    expect((await send("evt_once_1")).status).toBe(202);
    expect((await send("evt_once_1")).status).toBe(200); // a completed duplicate at the receiver

    // A copy enqueued again (a receiver that died before completing its key, say) is accepted
    // without a second job.
    const job = await boss.getJobById<QueuedDelivery>(
      "unit-once",
      deliveryJobId({ key: await keyOf("evt_once_1"), scheme: "stripe", id: "evt_once_1" }),
    );
    expect(job?.data.id).toBe("evt_once_1");
    await queue.enqueue(job!.data);
    expect(await boss.getQueueSize("unit-once")).toBe(1);

    const worker = await createWorker(receiver, { boss, name: "unit-once", pollingIntervalSeconds: 0.5 });
    await until("the handler ran", () => runs.length === 1);
    await worker.close();
    expect(runs).toEqual(["evt_once_1"]);
  });

  it("runs the handlers once even when pg-boss forgot the job and the delivery is enqueued again", async () => {
    const { queue, receiver, runs, send, keyOf } = setUp("unit-forgotten");
    await queue.setup();
    receiver.on("invoice.paid", (event) => {
      runs.push(event.id);
    });
    const worker = await createWorker(receiver, {
      boss,
      name: "unit-forgotten",
      pollingIntervalSeconds: 0.5,
    });
    expect((await send("evt_forgotten")).status).toBe(202);
    const id = deliveryJobId({ key: await keyOf("evt_forgotten"), scheme: "stripe", id: "evt_forgotten" });
    const job = await boss.getJobById<QueuedDelivery>("unit-forgotten", id);
    await until("the handler ran", () => runs.length === 1);
    await until(
      "the job completed",
      async () => (await boss.getJobById("unit-forgotten", id))?.state === "completed",
    );
    // pg-boss drops the job; a receiver that never recorded its completion enqueues it again.
    await boss.deleteJob("unit-forgotten", id);
    await queue.enqueue(job!.data);
    await until(
      "the new job completed",
      async () => (await boss.getJobById("unit-forgotten", id))?.state === "completed",
    );
    await worker.close();
    expect(runs).toEqual(["evt_forgotten"]);
  });

  it("retries a failing handler with pg-boss's retries, then dead-letters it, shown dead in the journal", async () => {
    const { queue, receiver, journal, send } = setUp("unit-failing", {
      retry: { limit: 2, delaySeconds: 0, backoff: false },
    });
    await queue.setup();
    let attempts = 0;
    receiver.on("invoice.paid", () => {
      attempts++;
      throw new Error("downstream is down");
    });
    receiver.onError(() => {});
    const worker = await createWorker(receiver, { boss, name: "unit-failing", pollingIntervalSeconds: 0.5 });
    expect((await send("evt_failing")).status).toBe(202);
    let dead: PgBoss.Job<QueuedDelivery>[] = [];
    await until("the delivery is dead-lettered", async () => {
      dead = await boss.fetch<QueuedDelivery>("unit-failing-dead-letters");
      return dead.length === 1;
    });
    await worker.close();
    expect(attempts).toBe(3);
    expect(dead[0]!.data.id).toBe("evt_failing");
    expect(queue.deadLetter).toBe("unit-failing-dead-letters");
    await until(
      "the journal shows it dead",
      async () => (await findJournalEntry(journal, "evt_failing"))?.status === "dead",
    );
    expect((await findJournalEntry(journal, "evt_failing"))?.attempts).toBeGreaterThanOrEqual(3);
  });

  it("puts back a delivery that another worker is running (in_flight) without spending a retry, and runs it once", async () => {
    const { queue, receiver, runs, send, store, keyOf } = setUp("unit-in-flight", {
      retry: { limit: 0 },
    });
    await queue.setup();
    receiver.on("invoice.paid", (event) => {
      if (event.id === "evt_in_flight") runs.push(event.id);
    });
    // Another worker holds the delivery's handled-key (its prefix: the receiver's, from a first delivery).
    expect((await send("evt_in_flight_warm")).status).toBe(202);
    const prefix = (await keyOf("evt_in_flight_warm")).replace(/evt_in_flight_warm$/, "");
    const other = await store.claim(`handled:${prefix}evt_in_flight`, { lockMs: 60_000, ttlMs: 60_000 });
    if (other.status !== "claimed") throw new Error("expected a claim");
    const worker = await createWorker(receiver, {
      boss,
      name: "unit-in-flight",
      pollingIntervalSeconds: 0.5,
      inFlightDelayMs: 300,
    });
    expect((await send("evt_in_flight")).status).toBe(202);
    const id = deliveryJobId({ key: await keyOf("evt_in_flight"), scheme: "stripe", id: "evt_in_flight" });
    await until(
      "the job was put back",
      async () => ((await boss.getJobById("unit-in-flight", id))?.state ?? "") === "completed",
    );
    await sleep(1000); // a few more looks while the other worker holds it
    expect(runs).toEqual([]);
    // The other worker fails and lets go: the retry runs the handlers.
    await store.release(`handled:${prefix}evt_in_flight`, other.token);
    await until("the handler ran", () => runs.length === 1);
    await worker.close();
    expect(runs).toEqual(["evt_in_flight"]);
  });

  it("in a batch, fails and retries only the jobs whose handlers failed", async () => {
    const { queue, receiver, runs, send, keyOf } = setUp("unit-batch", {
      retry: { limit: 3, delaySeconds: 0, backoff: false },
    });
    await queue.setup();
    let failures = 0;
    receiver.on("invoice.paid", (event) => {
      if (event.id === "evt_batch_2" && failures++ === 0) throw new Error("first attempt fails");
      runs.push(event.id);
    });
    receiver.onError(() => {});
    for (let i = 0; i < 4; i++) expect((await send(`evt_batch_${i}`)).status).toBe(202);
    const worker = await createWorker(receiver, {
      boss,
      name: "unit-batch",
      concurrency: 4,
      batchSize: 4,
      pollingIntervalSeconds: 0.5,
    });
    await until("all four ran", () => runs.length === 4);
    await until("every job completed", async () => (await boss.getQueueSize("unit-batch")) === 0);
    await worker.close();
    expect(failures).toBe(2);
    expect(runs.sort()).toEqual(["evt_batch_0", "evt_batch_1", "evt_batch_2", "evt_batch_3"]);
    const failedOnce = await boss.getJobById(
      "unit-batch",
      deliveryJobId({ key: await keyOf("evt_batch_2"), scheme: "stripe", id: "evt_batch_2" }),
    );
    expect(failedOnce?.state).toBe("completed");
  });

  it("carries payloads jsonb cannot hold (U+0000, unpaired surrogates) intact", async () => {
    const { queue, receiver, send } = setUp("unit-jsonb");
    await queue.setup();
    const seen: unknown[] = [];
    receiver.on("invoice.paid", (event) => {
      seen.push((event.payload as { data: { object: unknown } }).data.object);
    });
    const worker = await createWorker(receiver, { boss, name: "unit-jsonb", pollingIntervalSeconds: 0.5 });
    const odd = { note: "a\u0000b", half: "\ud800", plain: "ok" };
    expect((await send("evt_jsonb", odd)).status).toBe(202);
    await until("the handler ran", () => seen.length === 1);
    await worker.close();
    expect(seen).toEqual([odd]);
  });

  it("close() waits for the deliveries running", async () => {
    const { queue, receiver, send } = setUp("unit-close");
    await queue.setup();
    let finished = false;
    receiver.on("invoice.paid", async () => {
      await sleep(400);
      finished = true;
    });
    const worker = await createWorker(receiver, { boss, name: "unit-close", pollingIntervalSeconds: 0.5 });
    expect((await send("evt_close")).status).toBe(202);
    await until("the delivery runs", () => worker.running === 1);
    await worker.close();
    expect(finished).toBe(true);
  });

  it("setup() is safe when several instances run it at once", async () => {
    const others = Array.from({ length: 4 }, () => {
      const other = new PgBoss({
        connectionString: DATABASE_URL,
        schema,
        max: 2,
        schedule: false,
        supervise: false,
      });
      other.on("error", (error) => errors.push(error));
      return other;
    });
    await Promise.all(others.map((other) => other.start()));
    try {
      await Promise.all(
        others.map((other) => pgBossQueue({ boss: other, name: "unit-concurrent-setup" }).setup()),
      );
      expect(await boss.getQueue("unit-concurrent-setup")).toMatchObject({
        deadLetter: "unit-concurrent-setup-dead-letters",
      });
      expect(await boss.getQueue("unit-concurrent-setup-dead-letters")).not.toBeNull();
    } finally {
      await Promise.all(others.map((other) => other.stop({ graceful: false })));
    }
  });

  it("says how to create a missing queue", async () => {
    const { send, receiver } = setUp("unit-missing");
    const answer = await send("evt_missing");
    // The receiver answers it (503 queue_unavailable, Retry-After); its cause, for onError and logs, says how.
    expect(answer.status).toBe(503);
    expect(answer.error?.code).toBe("queue_unavailable");
    expect(answer.headers["retry-after"]).toBe("5");
    expect((answer.error!.cause as Error).message).toMatch(/setup\(\)/);
    await expect(createWorker(receiver, { boss, name: "unit-missing" })).rejects.toThrow(/setup\(\)/);
  });

  it("surfaces no pg-boss errors", () => {
    expect(errors).toEqual([]);
  });
});
