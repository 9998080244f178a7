import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { createWorker } from "@hookgate/amqp";
import { schemes } from "@hookgate/core";
import amqp from "amqplib";
import { afterAll, expect, it } from "vitest";
import { createApp } from "../../examples/express-rabbitmq/src/app.js";
import { connectRedis } from "../../examples/express-rabbitmq/src/connections.js";
import { createWebhooks } from "../../examples/express-rabbitmq/src/webhooks.js";
import { AMQP_URL, describeRabbitmq, REDIS_URL } from "../support/services.js";

describeRabbitmq("examples/express-rabbitmq over real HTTP, RabbitMQ and Redis", () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it("three racing copies of a delivery: one 202 once RabbitMQ confirmed it, handled once by the worker", async () => {
    const name = `example-rabbitmq-${randomBytes(4).toString("hex")}`;
    const connection = await amqp.connect(AMQP_URL);
    const redis = connectRedis(REDIS_URL);
    closers.push(async () => {
      const channel = await connection.createChannel();
      for (const queue of [name, `${name}.dead-letters`]) await channel.deleteQueue(queue);
      await connection.close();
      redis.disconnect();
    });
    await new Promise((resolve) => redis.once("ready", resolve));
    // The server's receiver and the worker's, built as the example builds them.
    const secret = "whsec_example_rabbitmq_test";
    const web = await createWebhooks({ connection, redis, name, secret });
    const background = await createWebhooks({ connection, redis, name, secret });
    const runs: string[] = [];
    background.receiver.on("invoice.paid", (event) => void runs.push(event.id));
    const server = createApp(web).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const url = `${base}/webhooks/stripe`;

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

    // Queued durably: the message is on RabbitMQ before any worker runs.
    const channel = await connection.createChannel();
    expect((await channel.checkQueue(name)).messageCount).toBe(1);
    await channel.close();

    // No worker yet: the readiness probe says so.
    const before = await fetch(`${base}/healthz`);
    expect(before.status).toBe(503);
    expect(await before.json()).toMatchObject({ ok: false, queue: name, workers: 0, waiting: 1 });

    const worker = await createWorker(background.receiver, { connection, name });
    closers.push(() => worker.close());
    const after = await fetch(`${base}/healthz`);
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ ok: true, workers: 1 });
    const deadline = Date.now() + 10_000;
    while (runs.length === 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 25));
    // The sender's late retry is a duplicate: nothing more runs.
    expect((await fetch(url, { method: "POST", headers, body })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runs).toEqual([id]);
  });
});
