import { queueConformance, workerConformance } from "@hookgate/testing";
import type PgBoss from "pg-boss";
import { afterAll, beforeAll, it } from "vitest";
import { describeNats, describePostgres, describeRabbitmq, describeRedis } from "../support/services.js";
import {
  amqpQueueHarness,
  amqpWorkerHarness,
  bullmqQueueHarness,
  bullmqWorkerHarness,
  connectAmqp,
  connectNats,
  natsQueueHarness,
  natsWorkerHarness,
  pgBossQueueHarness,
  pgBossWorkerHarness,
  startBoss,
} from "./engines.js";

describeRedis("BullMQ (Redis): queueConformance and workerConformance", () => {
  for (const scenario of queueConformance(bullmqQueueHarness)) it(`queue: ${scenario.name}`, scenario.run);
  for (const scenario of workerConformance(bullmqWorkerHarness)) it(`worker: ${scenario.name}`, scenario.run);
});

describePostgres("pg-boss (PostgreSQL): queueConformance and workerConformance", () => {
  const schema = "hookgate_test_conformance";
  let boss: PgBoss;
  let stop: () => Promise<void>;
  beforeAll(async () => {
    ({ boss, stop } = await startBoss(schema));
  });
  afterAll(() => stop());
  for (const scenario of queueConformance(() => pgBossQueueHarness(boss, schema)))
    it(`queue: ${scenario.name}`, scenario.run);
  for (const scenario of workerConformance((setup) => pgBossWorkerHarness(boss, setup)))
    it(`worker: ${scenario.name}`, scenario.run);
});

describeRabbitmq("RabbitMQ (amqplib): queueConformance and workerConformance", () => {
  let rabbitmq: Awaited<ReturnType<typeof connectAmqp>>;
  beforeAll(async () => {
    rabbitmq = await connectAmqp();
  });
  afterAll(() => rabbitmq.close());
  for (const scenario of queueConformance(() => amqpQueueHarness(rabbitmq.connection)))
    it(`queue: ${scenario.name}`, scenario.run);
  for (const scenario of workerConformance((setup) => amqpWorkerHarness(rabbitmq.connection, setup)))
    it(`worker: ${scenario.name}`, scenario.run);
});

describeNats("NATS JetStream: queueConformance and workerConformance", () => {
  let nats: Awaited<ReturnType<typeof connectNats>>;
  beforeAll(async () => {
    nats = await connectNats();
  });
  afterAll(() => nats.close());
  for (const scenario of queueConformance(() => natsQueueHarness(nats.connection)))
    it(`queue: ${scenario.name}`, scenario.run);
  for (const scenario of workerConformance((setup) => natsWorkerHarness(nats.connection, setup)))
    it(`worker: ${scenario.name}`, scenario.run);
});
