// A Worker that runs @hookgate/cloudflare's conformance suites inside workerd, on miniflare's local
// D1, Durable Objects and Queues: GET /run?suite=<name>&index=<n> runs one scenario and answers
// { name, ok, detail? }. The queue() handler feeds the queue and worker harnesses.
import {
  cloudflareQueue,
  createQueueConsumer,
  type D1DatabaseBinding,
  type DurableObjectNamespaceBinding,
  d1Journal,
  d1Store,
  durableObjectStore,
  type MessageBatchLike,
  type QueueBinding,
  type QueueConsumer,
} from "@hookgate/cloudflare";
import type { QueuedDelivery } from "@hookgate/core";
import {
  journalConformance,
  queueConformance,
  storeConformance,
  type WorkerSetup,
  workerConformance,
} from "@hookgate/testing";

export { HookgateStoreObject } from "@hookgate/cloudflare";

export interface Env {
  DB: D1DatabaseBinding;
  STORE: DurableObjectNamespaceBinding;
  /** Each worker-conformance queue's max_retries, as configured in miniflare. */
  RETRIES: Record<string, number>;
  [binding: string]: unknown;
}

/** What the collecting consumer of each `q-*` queue has read (markers included). */
const collected = new Map<string, unknown[]>();
/** The consumer each `w-*` queue's harness started. */
const consumers = new Map<string, QueueConsumer>();
const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const binding = (queue: string) => queue.toUpperCase().replace(/-/g, "_");

/** Every message the queue holds now: a marker sent last comes back after them. */
async function jobsOf(queue: string, producer: QueueBinding): Promise<QueuedDelivery[]> {
  const marker = { marker: unique() };
  await producer.send(marker, { contentType: "json" });
  const seen = () => collected.get(queue) ?? [];
  for (let i = 0; i < 400 && !seen().some((m) => (m as typeof marker).marker === marker.marker); i++) {
    await sleep(25);
  }
  return seen().filter((m) => !(m as { marker?: string }).marker) as QueuedDelivery[];
}

function suites(env: Env, index: number) {
  return {
    // Local D1 and Durable Objects answer in tens of ms on a busy machine: the lease and binding
    // scenarios get room (as the Redis runs do), so they test expiry, not the machine's load.
    "d1-store": () => storeConformance(() => d1Store({ database: env.DB }), { shortLockMs: 400 }),
    "do-store": () =>
      storeConformance(() => durableObjectStore({ namespace: env.STORE }), { shortLockMs: 400 }),
    "d1-journal": () =>
      journalConformance((setup) => d1Journal({ database: env.DB, table: `j_${unique()}`, ...setup })),
    queue: () =>
      queueConformance(() => {
        const name = `q-${index}`;
        const producer = env[binding(name)] as QueueBinding;
        const store = durableObjectStore({ namespace: env.STORE, prefix: `queue-${unique()}` });
        return { queue: cloudflareQueue({ queue: producer, store }), jobs: () => jobsOf(name, producer) };
      }),
    worker: () =>
      workerConformance((setup: WorkerSetup) => {
        const name = `w-${index}`;
        if (env.RETRIES[name] !== setup.attempts - 1) {
          throw new Error(
            `${name} is configured with max_retries ${env.RETRIES[name]}, the scenario needs ${setup.attempts - 1}`,
          );
        }
        return {
          queue: cloudflareQueue({ queue: env[binding(name)] as QueueBinding }),
          start(receiver) {
            const options = { maxRetries: setup.attempts - 1, inFlightDelayMs: setup.inFlightDelayMs };
            consumers.set(name, createQueueConsumer(receiver, { ...options, producer: binding(name) }));
          },
          close: async () => void consumers.delete(name),
        };
      }),
  };
}

async function run(url: URL, env: Env): Promise<Response> {
  const index = Number(url.searchParams.get("index"));
  const suite = suites(env, index)[url.searchParams.get("suite") as keyof ReturnType<typeof suites>];
  const scenario = suite?.()[index];
  if (!scenario) return Response.json({ name: "?", ok: false, detail: "no such scenario" }, { status: 404 });
  try {
    await scenario.run();
    return Response.json({ name: scenario.name, ok: true });
  } catch (error) {
    const detail = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error);
    return Response.json({ name: scenario.name, ok: false, detail });
  }
}

export default {
  fetch(request: Request, env: Env): Promise<Response> {
    return run(new URL(request.url), env);
  },
  async queue(batch: MessageBatchLike, env: Env): Promise<void> {
    if (batch.queue.startsWith("q-")) {
      const seen = collected.get(batch.queue) ?? [];
      collected.set(batch.queue, seen);
      for (const message of batch.messages) {
        seen.push(message.body);
        message.ack();
      }
      return;
    }
    // A worker scenario sends before it starts its consumer: hold the batch until it has.
    for (let i = 0; i < 2400 && !consumers.has(batch.queue); i++) await sleep(25);
    const consumer = consumers.get(batch.queue);
    if (!consumer) throw new Error(`no consumer started for ${batch.queue}`);
    await consumer(batch, env);
  },
};
