import { randomBytes } from "node:crypto";
import { createReceiver, memoryStore, schemes } from "@hookgate/core";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { describeNats, NATS_URL } from "../../../test/support/services.js";
import { tcpProxy } from "../../../test/support/tcp-proxy.js";
import { createWorker } from "./create-worker.js";
import { natsHealth } from "./nats-health.js";
import { natsQueue } from "./nats-queue.js";

const run = randomBytes(4).toString("hex");
const scheme = schemes.stripe({ secret: "whsec_nats_health" });

async function signed(id: string) {
  const rawBody = JSON.stringify({ id, object: "event", type: "invoice.paid", data: {} });
  return { method: "POST", headers: await scheme.sign({ rawBody }), rawBody };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describeNats("natsHealth: is the receiver's JetStream consumer pulled from?", () => {
  let connection: NatsConnection;
  const streams: string[] = [];
  const closers: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    connection = await connect({ servers: NATS_URL });
  });
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => {});
  });
  afterAll(async () => {
    const jsm = await jetstreamManager(connection);
    for (const name of streams) await jsm.streams.delete(name).catch(() => {});
    await connection.close();
  });

  /** The receiver's side: a set-up stream and consumer that a receiver hands deliveries to. */
  async function receiverQueue(what: string, setup = true, attempts?: number) {
    const name = `hookgate-test-health-${run}-${what}`;
    streams.push(name);
    const queue = natsQueue({ connection, name, ...(attempts ? { attempts } : {}) });
    if (setup) await queue.setup();
    const receiver = createReceiver({ scheme, store: memoryStore(), queue });
    return { queue, receiver };
  }

  /** A worker process of its own; `release()` lets the handlers it is blocked in return. */
  async function worker(receiver: Parameters<typeof createWorker>[0], name: string, concurrency = 1) {
    const own = await connect({ servers: NATS_URL });
    const started = await createWorker(receiver, { connection: own, name, concurrency });
    closers.push(async () => {
      await started.close();
      await own.close();
    });
    return { connection: own, worker: started };
  }

  it("no worker: not ok, and the problem says to start one on the receiver's stream and consumer", async () => {
    const { queue, receiver } = await receiverQueue("none");
    expect((await receiver.handle(await signed("evt_nobody"))).status).toBe(202);
    const health = await natsHealth(queue);
    expect(health).toMatchObject({
      ok: false,
      queue: queue.name,
      consumer: "hookgate-workers",
      workers: 0,
      waiting: 1,
      active: 0,
      deadLetters: 0,
      lastActiveMs: undefined,
    });
    expect(health.oldestWaitingMs).toBeGreaterThanOrEqual(0);
    expect(health.problem).toMatch(
      /^hookgate: no worker pulls from consumer "hookgate-workers" of JetStream stream "hookgate-test-health-.*-none"; deliveries are accepted \(202\) and not handled/,
    );
  });

  it("a worker pulling: ok; busy with its deliveries: ok; once its connection drops, not ok", async () => {
    const { queue, receiver } = await receiverQueue("ok");
    let release = () => {};
    const running = new Promise<void>((started) => {
      receiver.on("invoice.paid", () => {
        started();
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      });
    });
    const { connection: workerConnection } = await worker(receiver, queue.name);
    closers.push(async () => release()); // runs first: lets the worker close
    await until(async () => (await natsHealth(queue)).workers > 0); // its first pull request is registered
    const pulling = await natsHealth(queue);
    expect(pulling.workers).toBeGreaterThan(0); // open pull requests: one or two per worker with a free slot
    expect(pulling).toEqual({
      ok: true,
      queue: queue.name,
      consumer: "hookgate-workers",
      workers: pulling.workers,
      waiting: 0,
      active: 0,
      deadLetters: 0,
      oldestWaitingMs: undefined,
      lastActiveMs: undefined,
    });

    // Its one slot busy: no pull request open, the message held by it.
    expect((await receiver.handle(await signed("evt_busy"))).status).toBe(202);
    await running;
    await until(async () => (await natsHealth(queue)).active === 1);
    const busy = await natsHealth(queue);
    expect(busy).toMatchObject({ ok: true, workers: 0, active: 1, waiting: 0 });
    expect(busy.lastActiveMs).toBeGreaterThanOrEqual(0);

    // The worker process dies holding evt_busy: its pull request goes with its connection, and
    // on the check's own clock nothing happens for maxWaitingMs.
    await workerConnection.close();
    await until(async () => (await natsHealth(queue)).workers === 0);
    const jsm = await jetstreamManager(connection);
    const info = await jsm.consumers.info(queue.name, "hookgate-workers");
    const lastActive = Date.parse(String(info.delivered.last_active));
    expect(await natsHealth(queue, { now: () => lastActive + 59_000 })).toMatchObject({ ok: true });
    const held = await natsHealth(queue, { now: () => lastActive + 61_000 });
    expect(held).toMatchObject({ ok: false, workers: 0, active: 1, lastActiveMs: 61_000 });
    expect(held.problem).toMatch(
      /held with no worker pulling and no delivery or acknowledgement .*: its workers died/,
    );
  });

  it("a message undelivered for maxWaitingMs is unhealthy even with a worker pulling", async () => {
    const { queue, receiver } = await receiverQueue("stuck");
    // JetStream stops delivering at max_ack_pending: the worker pulls, and nothing comes.
    const jsm = await jetstreamManager(connection);
    await jsm.consumers.update(queue.name, queue.consumer, { max_ack_pending: 1 });
    let release = () => {};
    receiver.on("invoice.paid", () => new Promise<void>((resolve) => (release = resolve)));
    await worker(receiver, queue.name, 2);
    closers.push(async () => release());
    expect((await receiver.handle(await signed("evt_first"))).status).toBe(202);
    expect((await receiver.handle(await signed("evt_second"))).status).toBe(202);
    await until(async () => {
      const health = await natsHealth(queue);
      return health.active === 1 && health.waiting === 1 && health.workers > 0;
    });
    const next = await jsm.streams.getMessage(queue.name, { seq: 2 });
    const fresh = await natsHealth(queue, { now: () => next!.time.getTime() + 1000 });
    expect(fresh).toMatchObject({ ok: true, waiting: 1, active: 1, oldestWaitingMs: 1000 });
    expect(fresh.workers).toBeGreaterThan(0);
    const stale = await natsHealth(queue, { now: () => next!.time.getTime() + 61_000 });
    expect(stale).toMatchObject({ ok: false, workers: fresh.workers, oldestWaitingMs: 61_000 });
    expect(stale.problem).toMatch(
      /^hookgate: a message has waited 61 s undelivered on consumer .*: its workers are stuck or too few/,
    );
  });

  it("a worker that has just acknowledged is between two pulls for a second; then, gone, not ok", async () => {
    const { queue, receiver } = await receiverQueue("between");
    const handled: string[] = [];
    receiver.on("invoice.paid", (event) => {
      handled.push(event.id);
    });
    const { worker: started, connection: own } = await worker(receiver, queue.name);
    expect((await receiver.handle(await signed("evt_once"))).status).toBe(202);
    await until(async () => handled.length === 1 && (await natsHealth(queue)).active === 0);
    await started.close();
    await own.close();
    await until(async () => (await natsHealth(queue)).workers === 0);
    const jsm = await jetstreamManager(connection);
    const info = await jsm.consumers.info(queue.name, queue.consumer);
    const acked = Date.parse(String(info.ack_floor.last_active));
    expect(await natsHealth(queue, { now: () => acked + 500 })).toMatchObject({ ok: true, workers: 0 });
    const gone = await natsHealth(queue, { now: () => acked + 1500 });
    expect(gone).toMatchObject({ ok: false, workers: 0, active: 0, lastActiveMs: 1500 });
    expect(gone.problem).toMatch(/^hookgate: no worker pulls from/);
  });

  it("a worker on another stream: not ok", async () => {
    const { queue } = await receiverQueue("name");
    const { queue: other, receiver } = await receiverQueue("name-typo");
    await worker(receiver, other.name);
    await until(async () => (await natsHealth(other)).workers > 0);
    expect(await natsHealth(queue)).toMatchObject({ ok: false, workers: 0 });
    // Named by hand, as the worker was: the same answer as from the natsQueue itself.
    expect(await natsHealth({ connection, name: other.name })).toMatchObject({ ok: true });
  });

  it("a stream or consumer never set up: not ok, and the problem says to run setup()", async () => {
    const { queue } = await receiverQueue("undeclared", false);
    const health = await natsHealth(queue);
    expect(health).toMatchObject({ ok: false, workers: 0, waiting: 0, deadLetters: 0 });
    expect(health.problem).toMatch(
      /does not exist; deliveries are refused \(503\) or never consumed.*\.setup\(\)/,
    );
    await queue.setup();
    expect(await natsHealth({ connection, name: queue.name, consumer: "hookgate-typo" })).toMatchObject({
      ok: false,
      problem: expect.stringMatching(
        /^hookgate: consumer "hookgate-typo" of JetStream stream .* does not exist/,
      ),
    });
    expect((await natsHealth(queue)).problem).toMatch(/no worker pulls/);
  });

  it("counts dead letters kept in the stream", async () => {
    const { queue, receiver } = await receiverQueue("dead", true, 1); // one delivery, then dead
    receiver.on("invoice.paid", () => {
      throw new Error("card processor unreachable");
    });
    expect((await receiver.handle(await signed("evt_dead"))).status).toBe(202);
    await worker(receiver, queue.name);
    await until(async () => (await natsHealth(queue)).deadLetters === 1);
    await until(async () => (await natsHealth(queue)).active === 0); // acknowledged after it was kept
    expect(await natsHealth(queue)).toMatchObject({ ok: true, waiting: 0, deadLetters: 1 });
  });

  it("refuses bad options and a queue without a connection", async () => {
    const { queue } = await receiverQueue("options", false);
    await expect(natsHealth(queue, { maxWaitingMs: -1 })).rejects.toMatchObject({ code: "invalid_option" });
    await expect(natsHealth(queue, { timeoutMs: 0 })).rejects.toMatchObject({ code: "invalid_option" });
    await expect(natsHealth({} as never)).rejects.toMatchObject({ code: "invalid_option" });
  });
});

describeNats("natsHealth when the server cannot be reached", () => {
  it("rejects with queue_unavailable within timeoutMs", async () => {
    // NATS through a proxy on another port; closing the proxy makes that port a wrong one.
    const proxy = await tcpProxy(NATS_URL, 4222);
    const connection = await connect({ servers: proxy.url, reconnectTimeWait: 100 });
    const name = `hookgate-test-health-${run}-unreachable`;
    expect(await natsHealth({ connection, name })).toMatchObject({ ok: false }); // reachable: no stream
    await proxy.close();
    await expect(natsHealth({ connection, name }, { timeoutMs: 500 })).rejects.toMatchObject({
      code: "queue_unavailable",
      message: expect.stringMatching(
        /^hookgate: cannot read consumer "hookgate-workers" of JetStream stream/,
      ),
    });
    await connection.close();
  });
});

describe("natsHealth without a server", () => {
  it("rejects with queue_unavailable when JetStream cannot be asked", async () => {
    const broken = { request: () => Promise.reject(new Error("disconnected")) } as never;
    await expect(natsHealth({ connection: broken, name: "q" })).rejects.toMatchObject({
      code: "queue_unavailable",
    });
  });
});
