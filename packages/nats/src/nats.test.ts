import { randomBytes } from "node:crypto";
import { createReceiver, isWebhookError, memoryStore, schemes, WebhookError } from "@hookgate/core";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeNats, NATS_URL } from "../../../test/support/services.js";
import { createWorker } from "./create-worker.js";
import { natsQueue } from "./nats-queue.js";

const run = randomBytes(4).toString("hex");
const scheme = schemes.stripe({ secret: "whsec_nats_package" });

async function signed(id: string) {
  const rawBody = JSON.stringify({ id, object: "event", type: "invoice.paid", data: {} });
  return { headers: await scheme.sign({ rawBody }), rawBody };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describeNats("@hookgate/nats on JetStream", () => {
  let connection: NatsConnection;
  const streams: string[] = [];
  const fresh = (what: string) => {
    const name = `hookgate-test-nats-${run}-${what}`;
    streams.push(name);
    return name;
  };
  beforeAll(async () => {
    connection = await connect({ servers: NATS_URL });
  });
  afterAll(async () => {
    const jsm = await jetstreamManager(connection);
    for (const name of streams) await jsm.streams.delete(name).catch(() => {});
    await connection.close();
  });

  it("a handler slower than ack_wait is kept alive with working(): delivered once, run once", async () => {
    const name = fresh("slow");
    const queue = natsQueue({ connection, name, ackWaitMs: 1000 });
    await queue.setup();
    const receiver = createReceiver({ scheme, store: memoryStore(), queue });
    const runs: string[] = [];
    receiver.on("invoice.paid", async (event) => {
      runs.push(event.id);
      await new Promise((resolve) => setTimeout(resolve, 3500)); // 3½ × ack_wait
    });
    expect((await receiver.handle(await signed("evt_slow"))).status).toBe(202);
    // Every delivery of the message to the worker is one dispatch.
    let dispatches = 0;
    const dispatch = receiver.dispatch.bind(receiver);
    const worker = await createWorker(
      {
        dispatch: (...args) => {
          dispatches++;
          return dispatch(...args);
        },
      },
      { connection, name },
    );
    const jsm = await jetstreamManager(connection);
    await until(async () => (await jsm.streams.info(name)).state.messages === 0, 15_000);
    expect(dispatches).toBe(1);
    expect(runs).toEqual(["evt_slow"]);
    await worker.close();
  });

  it("a delivery given up on is published on the dead-letter subject and shown dead", async () => {
    const name = fresh("dead");
    const queue = natsQueue({ connection, name });
    await queue.setup();
    const receiver = createReceiver({ scheme, queue });
    const dead: string[] = [];
    receiver.deadLetter = async (delivery) => void dead.push(delivery.id);
    receiver.on("invoice.paid", () => {
      throw new WebhookError("invalid_payload", "hookgate: never");
    });
    receiver.onError(() => {});
    expect((await receiver.handle(await signed("evt_dead"))).status).toBe(202);
    const worker = await createWorker(receiver, { connection, name });
    await until(() => dead.length === 1);
    await worker.close();
    const jsm = await jetstreamManager(connection);
    const message = await jsm.streams.getMessage(name, { last_by_subj: queue.deadLetter });
    expect(message?.json<{ id: string }>().id).toBe("evt_dead");
    expect(message?.header.get("Hookgate-Error")).toBe("invalid_payload");
  });

  it("answers 503 queue_unavailable, and releases the claim, when the stream does not exist", async () => {
    const store = memoryStore();
    const queue = natsQueue({ connection, name: fresh("missing") });
    const receiver = createReceiver({ scheme, store, queue, namespace: "missing", queueTimeoutMs: 2000 });
    const answer = await receiver.handle(await signed("evt_nowhere"));
    expect(answer.status).toBe(503);
    expect(answer.error?.code).toBe("queue_unavailable");
    await queue.setup();
    expect((await receiver.handle(await signed("evt_nowhere"))).status).toBe(202);
  });

  it("refuses a missing connection, bad options, and a worker for a stream that does not exist", async () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return isWebhookError(error) ? error.code : "other";
      }
      return "none";
    };
    expect(code(() => natsQueue({} as never))).toBe("invalid_option");
    expect(code(() => natsQueue({ connection, name: "a.b" }))).toBe("invalid_option");
    // ack_wait bounds how long a crashed worker's deliveries wait: at most a minute.
    expect(code(() => natsQueue({ connection, ackWaitMs: 120_000 }))).toBe("invalid_option");
    await expect(
      createWorker(createReceiver({ scheme }), { connection, name: `missing-${run}` }),
    ).rejects.toMatchObject({
      code: "invalid_option",
      message: expect.stringMatching(/setup\(\)/),
    });
  });
});
