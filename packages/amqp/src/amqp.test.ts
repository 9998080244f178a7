import { randomBytes } from "node:crypto";
import { createReceiver, isWebhookError, memoryStore, schemes, WebhookError } from "@hookgate/core";
import amqp from "amqplib";
import { afterAll, beforeAll, expect, it } from "vitest";
import { AMQP_URL, describeRabbitmq } from "../../../test/support/services.js";
import { amqpQueue } from "./amqp-queue.js";
import { createWorker } from "./create-worker.js";

const run = randomBytes(4).toString("hex");
const scheme = schemes.stripe({ secret: "whsec_amqp_package" });

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

describeRabbitmq("@hookgate/amqp on RabbitMQ", () => {
  let connection: amqp.ChannelModel;
  const names: string[] = [];
  const fresh = (what: string) => {
    const name = `hookgate-test-amqp-${run}-${what}`;
    names.push(name);
    return name;
  };
  beforeAll(async () => {
    connection = await amqp.connect(AMQP_URL);
  });
  afterAll(async () => {
    const channel = await connection.createChannel();
    for (const name of names)
      for (const queue of [name, `${name}.dead-letters`, `${name}.retry.50`, `${name}.retry.5000`])
        await channel.deleteQueue(queue);
    await connection.close();
  });

  it("answers 503 queue_unavailable, and releases the claim, when the queue was never declared", async () => {
    const store = memoryStore();
    const queue = amqpQueue({ connection, name: fresh("undeclared") });
    const receiver = createReceiver({ scheme, store, queue, namespace: "undeclared" });
    const answer = await receiver.handle(await signed("evt_nowhere"));
    expect(answer.status).toBe(503);
    expect(answer.error?.code).toBe("queue_unavailable");
    // Nothing was acknowledged: the sender's retry is processed once the queue exists.
    await queue.setup();
    expect((await receiver.handle(await signed("evt_nowhere"))).status).toBe(202);
    await queue.close();
  });

  it("a worker that dies holding a message gives it back; another runs it once the lease lapses", async () => {
    const name = fresh("crash");
    const queue = amqpQueue({ connection, name });
    await queue.setup();
    const store = memoryStore();
    // The doomed process's store: once it has died, it renews no lease.
    let died = false;
    const doomedStore = new Proxy(store, {
      get: (target, property) =>
        property === "extend"
          ? async (...args: Parameters<typeof store.extend>) => !died && target.extend(...args)
          : Reflect.get(target, property),
    });
    const runs: string[] = [];
    const make = (hang: boolean) => {
      const receiver = createReceiver({ scheme, store: hang ? doomedStore : store, queue, lockMs: 500 });
      receiver.on("invoice.paid", async (event) => {
        runs.push(`${hang ? "doomed" : "survivor"}:${event.id}`);
        if (hang) await new Promise(() => {});
      });
      return receiver;
    };
    expect((await make(false).handle(await signed("evt_crash"))).status).toBe(202);
    const doomedConnection = await amqp.connect(AMQP_URL);
    await createWorker(make(true), { connection: doomedConnection, name });
    await until(() => runs.length === 1);
    // The process dies: its connection drops with the message unacknowledged.
    died = true;
    (
      doomedConnection as unknown as { connection: { stream: { destroy(): void } } }
    ).connection.stream.destroy();
    doomedConnection.on("error", () => {});
    const survivor = await createWorker(make(false), { connection, name, inFlightDelayMs: 50 });
    await until(() => runs.length === 2);
    expect(runs).toEqual(["doomed:evt_crash", "survivor:evt_crash"]);
    await survivor.close();
    await queue.close();
  });

  it("a delivery given up on is in the dead-letter queue and shown dead", async () => {
    const name = fresh("dead");
    const queue = amqpQueue({ connection, name });
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
    const channel = await connection.createChannel();
    const message = await channel.get(queue.deadLetter, { noAck: true });
    expect(message && JSON.parse(message.content.toString()).id).toBe("evt_dead");
    await channel.close();
    await queue.close();
  });

  it("refuses a missing connection, bad options, and a worker for a queue that does not exist", async () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return isWebhookError(error) ? error.code : "other";
      }
      return "none";
    };
    expect(code(() => amqpQueue({} as never))).toBe("invalid_option");
    expect(code(() => amqpQueue({ connection, store: {} as never }))).toBe("invalid_option");
    const receiver = createReceiver({ scheme });
    await expect(createWorker(receiver, { connection, attempts: 0 })).rejects.toMatchObject({
      code: "invalid_option",
    });
    await expect(createWorker(receiver, { connection, name: `missing-${run}` })).rejects.toMatchObject({
      code: "invalid_option",
      message: expect.stringMatching(/setup\(\)/),
    });
  });
});
