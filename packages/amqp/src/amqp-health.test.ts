import { randomBytes } from "node:crypto";
import { createReceiver, memoryStore, schemes } from "@hookgate/core";
import amqp from "amqplib";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { AMQP_URL, describeRabbitmq } from "../../../test/support/services.js";
import { tcpProxy } from "../../../test/support/tcp-proxy.js";
import { amqpHealth } from "./amqp-health.js";
import { amqpQueue } from "./amqp-queue.js";
import { createWorker } from "./create-worker.js";

const run = randomBytes(4).toString("hex");
const scheme = schemes.stripe({ secret: "whsec_amqp_health" });

describeRabbitmq("amqpHealth: is the receiver's RabbitMQ queue consumed?", () => {
  let connection: amqp.ChannelModel;
  const names: string[] = [];
  const closers: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    connection = await amqp.connect(AMQP_URL);
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => {});
  });
  afterAll(async () => {
    const channel = await connection.createChannel();
    for (const name of names) {
      await channel.deleteQueue(name);
      await channel.deleteQueue(`${name}.dead-letters`);
    }
    await connection.close();
  });

  /** The receiver's side: a declared queue that a receiver hands deliveries to. */
  async function receiverQueue(what: string, declare = true) {
    const name = `hookgate-test-health-${run}-${what}`;
    names.push(name);
    const queue = amqpQueue({ connection, name });
    closers.push(() => queue.close());
    if (declare) await queue.setup();
    const receiver = createReceiver({ scheme, store: memoryStore(), queue });
    return { queue, receiver };
  }

  async function signed(id: string) {
    const rawBody = JSON.stringify({ id, object: "event", type: "invoice.paid", data: {} });
    return { method: "POST", headers: await scheme.sign({ rawBody }), rawBody };
  }

  it("no worker: not ok, and the problem says to start one on the receiver's queue", async () => {
    const { queue, receiver } = await receiverQueue("none");
    expect((await receiver.handle(await signed("evt_nobody"))).status).toBe(202);
    const health = await amqpHealth(queue);
    expect(health).toEqual({
      ok: false,
      queue: queue.name,
      workers: 0,
      waiting: 1,
      deadLetters: 0,
      problem: expect.stringMatching(
        /^hookgate: no worker consumes RabbitMQ queue "hookgate-test-health-.*-none"; deliveries are accepted \(202\) and not handled\. Start createWorker/,
      ),
    });
  });

  it("a worker on the queue: ok; once it closes, or its connection drops, not ok again", async () => {
    const { queue, receiver } = await receiverQueue("ok");
    const workerConnection = await amqp.connect(AMQP_URL);
    closers.push(() => workerConnection.close());
    const worker = await createWorker(receiver, { connection: workerConnection, name: queue.name });
    expect(await amqpHealth(queue)).toEqual({
      ok: true,
      queue: queue.name,
      workers: 1,
      waiting: 0,
      deadLetters: 0,
    });
    await worker.close();
    expect(await amqpHealth(queue)).toMatchObject({ ok: false, workers: 0 });

    // A worker process that dies: no close(), its connection just goes.
    const dying = await amqp.connect(AMQP_URL);
    const dead = await createWorker(receiver, { connection: dying, name: queue.name });
    closers.push(() => dead.close()); // stops its reconnecting
    expect(await amqpHealth({ connection, name: queue.name })).toMatchObject({ ok: true, workers: 1 });
    await dying.close();
    expect(await amqpHealth(queue)).toMatchObject({ ok: false, workers: 0 });
  });

  it("a worker consuming another queue name: not ok", async () => {
    const { queue, receiver } = await receiverQueue("name");
    const { queue: other } = await receiverQueue("name-typo");
    const worker = await createWorker(receiver, { connection, name: other.name });
    closers.push(() => worker.close());
    expect(await amqpHealth(other)).toMatchObject({ ok: true, workers: 1 });
    expect(await amqpHealth(queue)).toMatchObject({ ok: false, workers: 0 });
  });

  it("a queue never declared: not ok, and the problem says to run setup()", async () => {
    const { queue } = await receiverQueue("undeclared", false);
    const health = await amqpHealth(queue);
    expect(health).toMatchObject({ ok: false, workers: 0, waiting: 0, deadLetters: undefined });
    expect(health.problem).toMatch(/does not exist; deliveries are refused \(503\).*\.setup\(\)/);
    // The check's channel closed with the 404; the connection is still usable.
    await queue.setup();
    expect(await amqpHealth(queue)).toMatchObject({ ok: false, workers: 0, deadLetters: 0 });
  });

  it("refuses bad options and a queue without a connection", async () => {
    const { queue } = await receiverQueue("options");
    await expect(amqpHealth(queue, { timeoutMs: 0 })).rejects.toMatchObject({ code: "invalid_option" });
    await expect(amqpHealth({} as never)).rejects.toMatchObject({ code: "invalid_option" });
    await expect(amqpHealth({ connection, name: "" })).rejects.toMatchObject({ code: "invalid_option" });
  });
});

describeRabbitmq("amqpHealth when the broker cannot be reached", () => {
  it("rejects with queue_unavailable: a closed connection at once, a recovering one within timeoutMs", async () => {
    // RabbitMQ through a proxy on another port; closing the proxy makes that port a wrong one.
    const proxy = await tcpProxy(AMQP_URL, 5672);
    const plain = await amqp.connect(proxy.url);
    plain.on("error", () => {});
    const recovering = await amqp.connect(proxy.url, { recovery: true });
    recovering.on("error", () => {});
    const name = `hookgate-test-health-${run}-unreachable`;
    expect(await amqpHealth({ connection: plain, name })).toMatchObject({ ok: false }); // reachable: no queue
    await proxy.close();
    await expect(amqpHealth({ connection: plain, name })).rejects.toMatchObject({
      code: "queue_unavailable",
      message: expect.stringMatching(/^hookgate: cannot read RabbitMQ queue "hookgate-test-health-.*"/),
    });
    await expect(amqpHealth({ connection: recovering, name }, { timeoutMs: 500 })).rejects.toMatchObject({
      code: "queue_unavailable",
    });
    await recovering.close().catch(() => {});
  });
});

describe("amqpHealth without a broker", () => {
  it("rejects with queue_unavailable when no channel can be opened", async () => {
    const broken = { createChannel: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:1")) };
    await expect(amqpHealth({ connection: broken, name: "q" })).rejects.toMatchObject({
      code: "queue_unavailable",
      message: 'hookgate: cannot read RabbitMQ queue "q": connect ECONNREFUSED 127.0.0.1:1',
    });
  });
});
