import {
  createReceiver,
  findJournalEntry,
  type IdempotencyStore,
  memoryJournal,
  memoryStore,
  type Queue,
  type QueuedDelivery,
  type Receiver,
  schemes,
  WebhookError,
} from "@hookgate/core";

/** One scenario of the worker conformance suite: a name, and a function that throws on failure. */
export interface WorkerScenario {
  name: string;
  run: () => Promise<void>;
}

/** What the suite asks of the queue and worker it is given for one scenario. */
export interface WorkerSetup {
  /**
   * Runs of a job whose handler keeps failing, the first included (BullMQ `attempts`, pg-boss
   * `retry.limit + 1`, memoryQueue `retry.attempts`), with retries a few milliseconds apart.
   */
  attempts: number;
  /** How long a job whose delivery is in flight elsewhere waits before it looks again (`inFlightDelayMs`). */
  inFlightDelayMs: number;
}

/** A fresh, EMPTY queue for one scenario, and the workers that consume it. */
export interface WorkerHarness {
  /** The queue the suite's receiver hands deliveries to. */
  queue: Queue;
  /**
   * Starts consuming the queue with `receiver`'s handlers, dispatching each job with
   * `{ once: true, verify: true }` (for memoryQueue: create it with `once: true, verify: true`; its
   * jobs already run in the receiver's process).
   */
  start(receiver: Receiver): void | Promise<void>;
  /** Stops the workers and frees what the scenario used. */
  close?(): Promise<void>;
}

class ConformanceError extends Error {
  override name = "WorkerConformanceError";
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ConformanceError(`hookgate worker conformance: ${message}`);
}

/** Polls `condition` until it holds; the deadline only turns a hang into a clear failure. */
async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new ConformanceError(`hookgate worker conformance: timed out until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const secret = "whsec_hookgate_worker_conformance";
const scheme = schemes.stripe({ secret });
let runCounter = 0;

/** A memory store that counts the claims of each key (how often a worker looked at a delivery). */
function countingStore(): { store: IdempotencyStore; claims: Map<string, number> } {
  const inner = memoryStore();
  const claims = new Map<string, number>();
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === "claim") {
        return (key: string, options: { lockMs: number; ttlMs: number }) => {
          claims.set(key, (claims.get(key) ?? 0) + 1);
          return target.claim(key, options);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store, claims };
}

async function signed(id: string) {
  const rawBody = JSON.stringify({ id, object: "event", type: "invoice.paid", data: { object: { id } } });
  return { method: "POST", headers: await scheme.sign({ rawBody }), rawBody };
}

interface Context {
  harness: WorkerHarness;
  receiver: Receiver;
  store: IdempotencyStore;
  claims: Map<string, number>;
  runs: string[];
  dead: Array<{ delivery: QueuedDelivery; error: unknown }>;
  namespace: string;
  send(id: string): ReturnType<Receiver["handle"]>;
  status(id: string): Promise<string | undefined>;
  keyOf(id: string): Promise<string>;
}

/**
 * The scenarios every queue and its worker must pass together, runner-agnostic: each `run` throws
 * on failure. `makeWorker` is called once per scenario with what the scenario needs, and returns
 * an EMPTY queue (a fresh name) and a way to start its workers for the suite's receiver. The
 * suite checks the retry policy every worker shares (`classifyDispatchFailure`): a job runs once;
 * a failing handler is retried, then dead-lettered; a delivery in flight elsewhere waits without
 * spending an attempt; a 4xx is given up at once; a tampered job never reaches a handler.
 *
 * @example
 * for (const scenario of workerConformance((setup) => bullmqWorkerHarness(setup))) it(scenario.name, scenario.run);
 */
export function workerConformance(
  makeWorker: (setup: WorkerSetup) => WorkerHarness | Promise<WorkerHarness>,
): WorkerScenario[] {
  const scenario = (
    name: string,
    setup: WorkerSetup,
    body: (context: Context) => Promise<void>,
  ): WorkerScenario => ({
    name,
    run: async () => {
      const harness = await makeWorker(setup);
      try {
        const { store, claims } = countingStore();
        const journal = memoryJournal();
        const namespace = `wc${++runCounter}-${Math.random().toString(36).slice(2, 8)}`;
        const receiver = createReceiver({
          scheme,
          store,
          journal,
          queue: harness.queue,
          namespace,
        }) as Receiver;
        const runs: string[] = [];
        const dead: Context["dead"] = [];
        // Watch the dead letters (every worker reports them through receiver.deadLetter).
        const deadLetter = receiver.deadLetter.bind(receiver);
        receiver.deadLetter = (delivery, error) => {
          dead.push({ delivery: delivery as QueuedDelivery, error });
          return deadLetter(delivery, error);
        };
        receiver.onError(() => {});
        await body({
          harness,
          receiver,
          store,
          claims,
          runs,
          dead,
          namespace,
          send: async (id) => receiver.handle(await signed(id)),
          status: async (id) => (await findJournalEntry(journal, id))?.status,
          keyOf: async (id) => {
            const entry = await findJournalEntry(journal, id);
            check(entry !== undefined, `the journal has no row for ${id}`);
            return entry.key;
          },
        });
      } finally {
        await harness.close?.();
      }
    },
  });

  return [
    scenario("runs a job's handlers once", { attempts: 3, inFlightDelayMs: 100 }, async (c) => {
      c.receiver.on("invoice.paid", (event) => void c.runs.push(event.id));
      check((await c.send("evt_once")).status === 202, "the receiver did not answer 202 queued");
      await c.harness.start(c.receiver);
      await until("the handler ran and the journal shows it handled", async () => {
        return c.runs.length === 1 && (await c.status("evt_once")) === "handled";
      });
      const again = await c.send("evt_once");
      check(again.outcome === "duplicate", `the sender's retry was ${again.outcome}, not duplicate`);
      check(c.runs.length === 1, `the handler ran ${c.runs.length} times`);
    }),

    scenario(
      "a failing handler is retried, then dead-lettered and shown dead",
      { attempts: 3, inFlightDelayMs: 100 },
      async (c) => {
        c.receiver.on("invoice.paid", (event) => {
          c.runs.push(event.id);
          throw new Error("downstream is down");
        });
        check((await c.send("evt_failing")).status === 202, "the receiver did not answer 202 queued");
        await c.harness.start(c.receiver);
        await until(
          "the journal shows the delivery dead",
          async () => (await c.status("evt_failing")) === "dead",
        );
        check(c.runs.length === 3, `a job with 3 attempts ran its handler ${c.runs.length} times`);
        check(
          c.dead.length === 1 && c.dead[0]!.delivery.id === "evt_failing",
          `receiver.deadLetter was called ${c.dead.length} times`,
        );
      },
    ),

    scenario(
      "a delivery in flight elsewhere waits without spending an attempt, then runs once",
      { attempts: 1, inFlightDelayMs: 100 },
      async (c) => {
        c.receiver.on("invoice.paid", (event) => void c.runs.push(event.id));
        // Another worker holds the delivery's handled-key: learn the key's prefix from a first delivery.
        check((await c.send("evt_warm")).status === 202, "the receiver did not answer 202 queued");
        const prefix = (await c.keyOf("evt_warm")).replace(/evt_warm$/, "");
        const handledKey = `handled:${prefix}evt_busy`;
        const other = await c.store.claim(handledKey, { lockMs: 120_000, ttlMs: 120_000 });
        check(other.status === "claimed", "could not hold the handled-key");
        check((await c.send("evt_busy")).status === 202, "the receiver did not answer 202 queued");
        await c.harness.start(c.receiver);
        // With one attempt, a wait that spent it would dead-letter the job at the first look.
        await until(
          "the worker looked at the busy delivery three times",
          () => (c.claims.get(handledKey) ?? 0) >= 3,
        );
        check(!c.runs.includes("evt_busy"), "the handler ran while another worker held the delivery");
        check((await c.status("evt_busy")) !== "dead", "in_flight spent the job's only attempt: it is dead");
        check(c.dead.length === 0, "in_flight was dead-lettered");
        await c.store.release(handledKey, other.token);
        await until("the handler ran once the other worker let go", () => c.runs.includes("evt_busy"));
        check(c.runs.filter((id) => id === "evt_busy").length === 1, "the busy delivery ran more than once");
      },
    ),

    scenario(
      "a 4xx is given up at once and dead-lettered",
      { attempts: 3, inFlightDelayMs: 100 },
      async (c) => {
        c.receiver.on("invoice.paid", (event) => {
          c.runs.push(event.id);
          throw new WebhookError("invalid_payload", "hookgate: conformance: this delivery can never succeed");
        });
        check((await c.send("evt_4xx")).status === 202, "the receiver did not answer 202 queued");
        await c.harness.start(c.receiver);
        await until(
          "the journal shows the delivery dead",
          async () => (await c.status("evt_4xx")) === "dead",
        );
        check(c.runs.length === 1, `a 4xx was tried ${c.runs.length} times, not given up after 1`);
      },
    ),

    scenario(
      "a job whose seal was tampered with never reaches a handler",
      { attempts: 3, inFlightDelayMs: 100 },
      async (c) => {
        c.receiver.on("invoice.paid", (event) => void c.runs.push(event.id));
        // Genuine sealed jobs, as a receiver with the same secret and namespace makes them.
        const captured: QueuedDelivery[] = [];
        const sealer = createReceiver({
          scheme,
          namespace: c.namespace,
          queue: { enqueue: async (delivery) => void captured.push(delivery) },
        });
        for (const id of ["evt_tampered", "evt_genuine"]) {
          check((await sealer.handle(await signed(id))).status === 202, "the sealing receiver did not queue");
        }
        const [job, genuine] = captured as [QueuedDelivery, QueuedDelivery];
        check(typeof job.seal === "string" && job.seal.length > 4, "the receiver's jobs carry no seal");
        const flipped = job.seal!.slice(0, -2) + (job.seal!.endsWith("AA") ? "BB" : "AA");
        await c.harness.queue.enqueue({ ...job, seal: flipped });
        await c.harness.queue.enqueue({ ...job, key: `${job.key}-elsewhere` }); // the seal covers the key
        await c.harness.queue.enqueue(genuine);
        await c.harness.start(c.receiver);
        await until("the genuine job ran", () => c.runs.includes("evt_genuine"));
        await until("both tampered jobs were given up", () => c.dead.length === 2);
        check(!c.runs.includes("evt_tampered"), "a tampered job ran its handler");
        for (const { error } of c.dead) {
          const status = (error as { status?: unknown }).status;
          check(
            typeof status === "number" && status >= 400 && status < 500,
            `a tampered job was dead-lettered with ${String(error)}, not a 4xx`,
          );
        }
      },
    ),
  ];
}
