import type { Queue, QueuedDelivery } from "@hookgate/core";

/** One scenario of the queue conformance suite: a name, and a function that throws on failure. */
export interface QueueScenario {
  name: string;
  run: () => Promise<void>;
}

/** A fresh, EMPTY queue for one scenario, and a way to read back the jobs it holds. */
export interface QueueHarness {
  queue: Queue;
  /**
   * The deliveries the queue holds now, as a worker would read them (from Redis, from
   * PostgreSQL): every job waiting, running or delayed. No worker should be consuming them.
   */
  jobs(): Promise<QueuedDelivery[]>;
  /** Frees what the scenario used (connections, tables). */
  close?(): Promise<void>;
}

class ConformanceError extends Error {
  override name = "QueueConformanceError";
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new ConformanceError(`hookgate queue conformance: ${message}`);
}

/** Deep equality of plain JSON values (key order ignored). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key) =>
    sameJson((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]),
  );
}

/** A delivery with every field a receiver sets, and text that JSON columns find hard. */
function fullDelivery(id: string): QueuedDelivery {
  const payload = {
    id,
    type: "invoice.paid",
    data: { object: { id: `in_${id}`, amount: 1999, paid: true, note: null, tags: ["a", "ü", "😀"] } },
    // U+0000 and a lone surrogate: PostgreSQL's jsonb refuses both as they are.
    awkward: "nul \u0000 lone \ud800 end",
  };
  const delivery = {
    id,
    key: `conformance:stripe:tenant0:${id}`,
    type: "invoice.paid",
    scheme: "stripe",
    receivedAt: "2030-01-02T03:04:05.678Z",
    timestamp: "2030-01-02T03:04:00.000Z",
    matchedSecret: { index: 1, id: "whsec_old" },
    payload,
    rawBody: JSON.stringify(payload),
    headers: { "content-type": "application/json", "stripe-signature": "t=1,v1=[redacted]" },
    url: "https://example.com/webhooks/acme?x=1",
    tenant: "tenant0",
    params: { tenant: "acme" },
    seal: "v1.c2VhbA",
    // Written by the receiver's telemetry: the worker's span joins the request's trace.
    traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    tracestate: "hookgate=conformance,congo=t61rcWkgMzE",
  };
  return delivery satisfies QueuedDelivery;
}

/**
 * The scenarios every {@link Queue} must pass, runner-agnostic: each `run` throws on failure.
 * `makeQueue` is called once per scenario and must return an EMPTY queue (a fresh queue name) and
 * a way to read its jobs; no worker may consume it meanwhile.
 *
 * @example
 * for (const scenario of queueConformance(() => bullmqHarness())) it(scenario.name, scenario.run);
 */
export function queueConformance(makeQueue: () => QueueHarness | Promise<QueueHarness>): QueueScenario[] {
  const scenario = (name: string, body: (harness: QueueHarness) => Promise<void>): QueueScenario => ({
    name,
    run: async () => {
      const harness = await makeQueue();
      try {
        await body(harness);
      } finally {
        await harness.close?.();
      }
    },
  });

  return [
    scenario("enqueue resolves only once the job is stored", async ({ queue, jobs }) => {
      check((await jobs()).length === 0, "makeQueue must return an empty queue");
      await queue.enqueue(fullDelivery("evt_durable"));
      const held = await jobs();
      check(held.length === 1, `after enqueue resolved, the queue holds ${held.length} jobs, not 1`);
      check(held[0]!.id === "evt_durable", "the stored job is not the delivery enqueued");
    }),

    scenario("copies of one delivery (the same key) are one job", async ({ queue, jobs }) => {
      const delivery = fullDelivery("evt_copy");
      await queue.enqueue(delivery);
      await queue.enqueue({ ...delivery }); // a second receiver's copy
      await Promise.all([queue.enqueue({ ...delivery }), queue.enqueue({ ...delivery })]);
      const held = await jobs();
      check(held.length === 1, `4 copies of one delivery made ${held.length} jobs, not 1`);
      await queue.enqueue({ ...fullDelivery("evt_other") });
      check((await jobs()).length === 2, "a delivery with another key was not queued as its own job");
    }),

    scenario("a job is plain JSON: every QueuedDelivery field round-trips", async ({ queue, jobs }) => {
      const delivery = fullDelivery("evt_fields");
      await queue.enqueue(delivery);
      const [job] = await jobs();
      check(job !== undefined, "the job is missing");
      check(
        sameJson(JSON.parse(JSON.stringify(job)), job),
        "the job read back is not plain JSON (a Date, a Buffer, a class instance?)",
      );
      for (const [field, value] of Object.entries(delivery)) {
        check(
          sameJson((job as unknown as Record<string, unknown>)[field], value),
          `field ${field} did not round-trip: sent ${JSON.stringify(value)}, read ${JSON.stringify((job as unknown as Record<string, unknown>)[field])}`,
        );
      }
      check(
        Object.keys(job).length === Object.keys(delivery).length,
        `the job carries fields the delivery did not: ${Object.keys(job).join(", ")}`,
      );
    }),

    scenario(
      "the trace context (traceparent, tracestate) survives the round trip",
      async ({ queue, jobs }) => {
        const traced = fullDelivery("evt_traced");
        const { traceparent: _p, tracestate: _s, ...untraced } = fullDelivery("evt_untraced");
        await queue.enqueue(traced);
        await queue.enqueue(untraced);
        const held = await jobs();
        const byId = new Map(held.map((job) => [job.id, job]));
        const tracedJob = byId.get("evt_traced");
        const untracedJob = byId.get("evt_untraced");
        check(tracedJob !== undefined && untracedJob !== undefined, "a job is missing");
        check(
          tracedJob.traceparent === traced.traceparent && tracedJob.tracestate === traced.tracestate,
          `the trace context did not survive: sent ${traced.traceparent} / ${traced.tracestate}, read ${tracedJob.traceparent} / ${tracedJob.tracestate}`,
        );
        check(
          untracedJob.traceparent === undefined && untracedJob.tracestate === undefined,
          "a job enqueued without a trace context was read back with one",
        );
      },
    ),
  ];
}
