// memoryQueue, BullMQ, pg-boss, RabbitMQ and NATS JetStream treat the same dispatch failures the same way, because each
// follows classifyDispatchFailure: in_flight waits without spending an attempt, a 4xx is given up
// at once, a handler error, a 5xx, a 429 or a timeout spends an attempt and is retried.
import {
  createReceiver,
  findJournalEntry,
  memoryJournal,
  type Receiver,
  schemes,
  WebhookError,
} from "@hookgate/core";
import { classifyDispatchFailure, type DispatchFailureAction } from "@hookgate/core/kit";
import type { WorkerHarness, WorkerSetup } from "@hookgate/testing";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeNats, describePostgres, describeRabbitmq, describeRedis } from "../support/services.js";
import {
  amqpWorkerHarness,
  bullmqWorkerHarness,
  connectAmqp,
  connectNats,
  memoryWorkerHarness,
  natsWorkerHarness,
  pgBossWorkerHarness,
  startBoss,
} from "./engines.js";

const scheme = schemes.stripe({ secret: "whsec_classify_engines" });
const ATTEMPTS = 2;

/** Each delivery's handler fails this way (in_flight only for its first two runs). */
const failures: Record<string, () => unknown> = {
  evt_in_flight: () => new WebhookError("in_flight", "hookgate: being handled elsewhere"),
  evt_signature: () => new WebhookError("signature_mismatch", "hookgate: no longer verifies"),
  evt_schema: () => new WebhookError("schema_validation_failed", "hookgate: the schema refuses it"),
  evt_payload: () => new WebhookError("invalid_payload", "hookgate: not a delivery"),
  evt_handler: () => new Error("the handler broke"),
  evt_internal: () => new WebhookError("internal_error", "hookgate: a 500"),
  evt_store: () => new WebhookError("store_unavailable", "hookgate: the store is down"),
  evt_rate_limited: () => new WebhookError("internal_error", "hookgate: slow down", { status: 429 }),
  evt_timeout: () => new DOMException("The operation timed out.", "TimeoutError"),
};

/** What each engine did with each failure: a delivery handled in the end waited ("later"), one
 * dead after one run was given up, one dead after every attempt was retried. */
async function observe(harness: WorkerHarness): Promise<Record<string, DispatchFailureAction | string>> {
  const journal = memoryJournal();
  const receiver = createReceiver({
    scheme,
    journal,
    queue: harness.queue,
    namespace: "classify",
  }) as Receiver;
  const runs = new Map<string, number>();
  receiver.on("invoice.paid", (event) => {
    const count = (runs.get(event.id) ?? 0) + 1;
    runs.set(event.id, count);
    if (event.id === "evt_in_flight" && count > 2) return;
    throw failures[event.id]!();
  });
  receiver.onError(() => {});
  for (const id of Object.keys(failures)) {
    const rawBody = JSON.stringify({ id, object: "event", type: "invoice.paid", data: {} });
    expect((await receiver.handle({ headers: await scheme.sign({ rawBody }), rawBody })).status).toBe(202);
  }
  await harness.start(receiver);
  const outcome: Record<string, string> = {};
  const deadline = Date.now() + 30_000;
  while (Object.keys(outcome).length < Object.keys(failures).length && Date.now() < deadline) {
    for (const id of Object.keys(failures)) {
      const status = (await findJournalEntry(journal, id))?.status;
      const count = runs.get(id) ?? 0;
      if (status === "handled") outcome[id] = count > 1 ? "later" : "handled at once";
      if (status === "dead")
        outcome[id] = count === 1 ? "give-up" : count === ATTEMPTS ? "retry" : `dead after ${count}`;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await harness.close?.();
  return outcome;
}

const expected = Object.fromEntries(
  Object.entries(failures).map(([id, make]) => [id, classifyDispatchFailure(make())]),
);
const setup: WorkerSetup = { attempts: ATTEMPTS, inFlightDelayMs: 100 };

describe("classifyDispatchFailure", () => {
  it("waits on in_flight, gives up on a 4xx, retries the rest", () => {
    expect(expected).toEqual({
      evt_in_flight: "later",
      evt_signature: "give-up",
      evt_schema: "give-up",
      evt_payload: "give-up",
      evt_handler: "retry",
      evt_internal: "retry",
      evt_store: "retry",
      evt_rate_limited: "retry",
      evt_timeout: "retry",
    });
  });

  it("memoryQueue follows it", async () => {
    expect(await observe(memoryWorkerHarness(setup))).toEqual(expected);
  });
});

describeRedis("classifyDispatchFailure on BullMQ", () => {
  it("the BullMQ worker follows it", async () => {
    expect(await observe(bullmqWorkerHarness(setup))).toEqual(expected);
  });
});

describePostgres("classifyDispatchFailure on pg-boss", () => {
  const schema = "hookgate_test_classify";
  let boss: PgBoss;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ boss, stop } = await startBoss(schema));
  });
  afterAll(() => stop());
  it("the pg-boss worker follows it", async () => {
    expect(await observe(await pgBossWorkerHarness(boss, setup))).toEqual(expected);
  });
});

describeRabbitmq("classifyDispatchFailure on RabbitMQ", () => {
  it("the RabbitMQ worker follows it", async () => {
    const rabbitmq = await connectAmqp();
    try {
      expect(await observe(await amqpWorkerHarness(rabbitmq.connection, setup))).toEqual(expected);
    } finally {
      await rabbitmq.close();
    }
  });
});

describeNats("classifyDispatchFailure on NATS JetStream", () => {
  it("the NATS worker follows it", async () => {
    const nats = await connectNats();
    try {
      expect(await observe(await natsWorkerHarness(nats.connection, setup))).toEqual(expected);
    } finally {
      await nats.close();
    }
  });
});
