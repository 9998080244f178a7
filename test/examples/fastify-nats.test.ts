import { randomBytes } from "node:crypto";
import { schemes } from "@hookgate/core";
import { createWorker } from "@hookgate/nats";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { afterAll, expect, it } from "vitest";
import { createApp } from "../../examples/fastify-nats/src/app.js";
import { connectRedis } from "../../examples/fastify-nats/src/connections.js";
import { createWebhooks } from "../../examples/fastify-nats/src/webhooks.js";
import { describeNats, NATS_URL, REDIS_URL } from "../support/services.js";

describeNats("examples/fastify-nats over real HTTP, NATS JetStream and Redis", () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it("three racing copies of a delivery: one 202 once JetStream stored it, handled once by the worker", async () => {
    const name = `example_nats_${randomBytes(4).toString("hex")}`;
    const connection = await connect({ servers: NATS_URL });
    const redis = connectRedis(REDIS_URL);
    closers.push(async () => {
      await (await jetstreamManager(connection)).streams.delete(name);
      await connection.close();
      redis.disconnect();
    });
    await new Promise((resolve) => redis.once("ready", resolve));
    // The server's receiver and the worker's, built as the example builds them.
    const secret = "whsec_example_nats_test";
    const web = await createWebhooks({ connection, redis, name, secret });
    const background = await createWebhooks({ connection, redis, name, secret });
    const runs: string[] = [];
    background.receiver.on("invoice.paid", (event) => void runs.push(event.id));
    const app = await createApp(web);
    const address = await app.listen({ port: 0, host: "127.0.0.1" });
    closers.push(() => app.close());
    const url = `${address}/webhooks/stripe`;

    const id = `evt_example_${randomBytes(4).toString("hex")}`;
    const body = JSON.stringify({
      id,
      object: "event",
      type: "invoice.paid",
      data: { object: { id: "in_1", amount_paid: 4200, currency: "eur" } },
    });
    const headers = await schemes.stripe({ secret }).sign({ rawBody: body });
    const statuses = await Promise.all(
      [1, 2, 3].map(async () => (await fetch(url, { method: "POST", headers, body })).status),
    );
    expect(statuses.filter((status) => status === 202)).toHaveLength(1);
    expect(statuses.every((status) => [200, 202, 409].includes(status))).toBe(true);

    // Queued durably, once: the stream holds one message before any worker runs.
    expect((await (await jetstreamManager(connection)).streams.info(name)).state.messages).toBe(1);

    // No worker yet: the readiness probe says so.
    const before = await fetch(`${address}/healthz`);
    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({ ok: false, queue: name, workers: 0, waiting: 1 });

    const worker = await createWorker(background.receiver, { connection, name });
    closers.push(() => worker.close());
    const deadline = Date.now() + 10_000;
    while (runs.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 25));
    // The sender's late retry is a duplicate: nothing more runs.
    expect((await fetch(url, { method: "POST", headers, body })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runs).toEqual([id]);
    // The worker pulls (its pull request is open once it has taken the message).
    const after = await fetch(`${address}/healthz`);
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ ok: true, waiting: 0 });
  });
});
