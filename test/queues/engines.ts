// Queue and worker harnesses on the real engines, for the conformance suites and the
// classification test: BullMQ on Redis, pg-boss on PostgreSQL, RabbitMQ, NATS JetStream, and
// memoryQueue.
import { randomBytes } from "node:crypto";
import {
  type AmqpConnectionLike,
  type AmqpWorker,
  amqpQueue,
  createWorker as createAmqpWorker,
} from "@hookgate/amqp";
import { bullmqQueue, createWorker as createBullmqWorker } from "@hookgate/bullmq";
import { memoryQueue, memoryStore, type QueuedDelivery, type Receiver } from "@hookgate/core";
import {
  createWorker as createNatsWorker,
  type NatsConnectionLike,
  type NatsWorker,
  natsQueue,
} from "@hookgate/nats";
import { createWorker as createPgBossWorker, type PgBossWorker, pgBossQueue } from "@hookgate/pg-boss";
import type { QueueHarness, WorkerHarness, WorkerSetup } from "@hookgate/testing";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect as connectNatsServer } from "@nats-io/transport-node";
import amqp from "amqplib";
import { Queue, type Worker } from "bullmq";
import pg from "pg";
import PgBoss from "pg-boss";
import { decodeJob } from "../../packages/pg-boss/src/internal/job-data.js";
import { AMQP_URL, DATABASE_URL, NATS_URL, REDIS_URL } from "../support/services.js";

const run = randomBytes(4).toString("hex");
let counter = 0;
const fresh = (engine: string) => `hookgate-conformance-${engine}-${run}-${++counter}`;

const { hostname, port } = new URL(REDIS_URL);
const connection = { host: hostname, port: Number(port || 6379) };

const LIVE: Array<"waiting" | "active" | "delayed" | "prioritized"> = [
  "waiting",
  "active",
  "delayed",
  "prioritized",
];

export function bullmqQueueHarness(): QueueHarness {
  const queue = new Queue<QueuedDelivery>(fresh("bullmq"), { connection });
  return {
    queue: bullmqQueue({ queue }),
    jobs: async () => (await queue.getJobs(LIVE)).map((job) => job.data),
    close: async () => {
      await queue.obliterate({ force: true });
      await queue.close();
    },
  };
}

export function bullmqWorkerHarness({ attempts, inFlightDelayMs }: WorkerSetup): WorkerHarness {
  const name = fresh("bullmq");
  const queue = new Queue<QueuedDelivery>(name, { connection });
  const workers: Worker[] = [];
  return {
    queue: bullmqQueue({ queue, jobOptions: { attempts, backoff: { type: "fixed", delay: 10 } } }),
    start(receiver: Receiver) {
      workers.push(createBullmqWorker(receiver, { name, connection, verify: true, inFlightDelayMs }));
    },
    close: async () => {
      await Promise.all(workers.map((worker) => worker.close()));
      await queue.obliterate({ force: true });
      await queue.close();
    },
  };
}

/** One started PgBoss for a test file, in its own schema. */
export async function startBoss(schema: string): Promise<{ boss: PgBoss; stop(): Promise<void> }> {
  const dropSchema = async () => {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  };
  await dropSchema();
  const boss = new PgBoss({ connectionString: DATABASE_URL, schema, max: 6, schedule: false });
  boss.on("error", (error) => console.error("pg-boss:", error));
  await boss.start();
  return {
    boss,
    stop: async () => {
      await boss.stop({ graceful: false, wait: true });
      await dropSchema();
    },
  };
}

export async function pgBossQueueHarness(boss: PgBoss, schema: string): Promise<QueueHarness> {
  const name = fresh("pgboss");
  const queue = pgBossQueue({ boss, name });
  await queue.setup();
  return {
    queue,
    jobs: async () => {
      // Every job not finished, read back through pg-boss and decoded as the worker does.
      const db = boss.getDb();
      const { rows } = await db.executeSql(
        `SELECT id FROM ${schema}.job WHERE name = $1 AND state < 'completed'`,
        [name],
      );
      const jobs = await Promise.all(
        (rows as Array<{ id: string }>).map((row) => boss.getJobById(name, row.id)),
      );
      return jobs.map((job) => decodeJob(job!.data));
    },
    // The schema is dropped at the end of the file.
  };
}

export async function pgBossWorkerHarness(
  boss: PgBoss,
  { attempts, inFlightDelayMs }: WorkerSetup,
): Promise<WorkerHarness> {
  const name = fresh("pgboss");
  const queue = pgBossQueue({ boss, name, retry: { limit: attempts - 1, delaySeconds: 0, backoff: false } });
  await queue.setup();
  const workers: PgBossWorker[] = [];
  return {
    queue,
    async start(receiver: Receiver) {
      workers.push(
        await createPgBossWorker(receiver, {
          boss,
          name,
          verify: true,
          inFlightDelayMs,
          pollingIntervalSeconds: 0.5,
        }),
      );
    },
    close: async () => {
      for (const worker of workers) await worker.close();
    },
  };
}

export function memoryWorkerHarness({ attempts, inFlightDelayMs }: WorkerSetup): WorkerHarness {
  const queue = memoryQueue({ once: true, verify: true, retry: { attempts, backoff: 10, inFlightDelayMs } });
  return { queue, start: () => {}, close: () => queue.onIdle() };
}

/** One RabbitMQ connection for a test file. */
export async function connectAmqp(): Promise<{ connection: AmqpConnectionLike; close(): Promise<void> }> {
  const connection = await amqp.connect(AMQP_URL);
  connection.on("error", () => {});
  return { connection, close: () => connection.close() };
}

/** Deletes a test's queues: the deliveries, its dead letters and the retry queues of `delays`. */
async function deleteAmqpQueues(connection: AmqpConnectionLike, name: string, delays: number[]) {
  const channel = await connection.createChannel();
  for (const queue of [name, `${name}.dead-letters`, ...delays.map((ms) => `${name}.retry.${ms}`)])
    await channel.deleteQueue(queue);
  await channel.close();
}

export async function amqpQueueHarness(connection: AmqpConnectionLike): Promise<QueueHarness> {
  const name = fresh("amqp");
  // The receivers' store: what makes copies of one delivery one message.
  const queue = amqpQueue({ connection, name, store: memoryStore() });
  await queue.setup();
  return {
    queue,
    jobs: async () => {
      // Every message the queue holds, read as a worker would, then put back (the channel closes).
      const channel = await connection.createChannel();
      const held: QueuedDelivery[] = [];
      for (let message = await channel.get(name); message; message = await channel.get(name))
        held.push(JSON.parse(message.content.toString("utf8")));
      await channel.close();
      return held;
    },
    close: async () => {
      await queue.close();
      await deleteAmqpQueues(connection, name, []);
    },
  };
}

export async function amqpWorkerHarness(
  connection: AmqpConnectionLike,
  { attempts, inFlightDelayMs }: WorkerSetup,
): Promise<WorkerHarness> {
  const name = fresh("amqp");
  const queue = amqpQueue({ connection, name });
  await queue.setup();
  const workers: AmqpWorker[] = [];
  const backoffMs = 10;
  return {
    queue,
    async start(receiver: Receiver) {
      workers.push(
        await createAmqpWorker(receiver, {
          connection,
          name,
          verify: true,
          attempts,
          backoffMs,
          maxBackoffMs: backoffMs,
          inFlightDelayMs,
        }),
      );
    },
    close: async () => {
      for (const worker of workers) await worker.close();
      await queue.close();
      await deleteAmqpQueues(connection, name, [backoffMs, inFlightDelayMs]);
    },
  };
}

/** One NATS connection for a test file. */
export async function connectNats(): Promise<{ connection: NatsConnectionLike; close(): Promise<void> }> {
  const connection = await connectNatsServer({ servers: NATS_URL });
  return { connection, close: () => connection.close() };
}

/** A fresh stream name (JetStream refuses dots in stream names). */
const freshStream = () => fresh("nats").replace(/[^A-Za-z0-9_-]/g, "_");

export async function natsQueueHarness(connection: NatsConnectionLike): Promise<QueueHarness> {
  const name = freshStream();
  const queue = natsQueue({ connection, name });
  await queue.setup();
  const jsm = await jetstreamManager(connection);
  return {
    queue,
    jobs: async () => {
      // Every message on the deliveries subject the stream holds, read by sequence.
      const { state } = await jsm.streams.info(name);
      const held: QueuedDelivery[] = [];
      for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
        const message = await jsm.streams.getMessage(name, { seq }).catch(() => null);
        if (message?.subject === queue.subject) held.push(message.json<QueuedDelivery>());
      }
      return held;
    },
    close: async () => {
      await jsm.streams.delete(name);
    },
  };
}

export async function natsWorkerHarness(
  connection: NatsConnectionLike,
  { attempts, inFlightDelayMs }: WorkerSetup,
): Promise<WorkerHarness> {
  const name = freshStream();
  const queue = natsQueue({ connection, name, attempts });
  await queue.setup();
  const workers: NatsWorker[] = [];
  return {
    queue,
    async start(receiver: Receiver) {
      workers.push(
        await createNatsWorker(receiver, {
          connection,
          name,
          verify: true,
          backoffMs: 10,
          maxBackoffMs: 10,
          inFlightDelayMs,
        }),
      );
    },
    close: async () => {
      for (const worker of workers) await worker.close();
      await (await jetstreamManager(connection)).streams.delete(name);
    },
  };
}
