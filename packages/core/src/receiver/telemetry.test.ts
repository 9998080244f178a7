import { describe, expect, it } from "vitest";
import { memoryQueue } from "../queue/memory-queue.js";
import type { Queue, QueuedDelivery } from "../queue.js";
import { schemes } from "../schemes/index.js";
import type { Telemetry, TraceContext } from "../telemetry.js";
import { createReceiver } from "./create-receiver.js";

const secret = "whsec_telemetry_tests";
const scheme = schemes.stripe({ secret });
const PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const PUBLISHED = "00-0af7651916cd43dd8448eb211c80319c-00f067aa0ba902b7-01";

async function request(id = "evt_1", headers: Record<string, string> = {}) {
  const rawBody = JSON.stringify({ id, type: "invoice.paid", data: {} });
  const signed = await scheme.sign({ rawBody });
  return { method: "POST", url: "https://example.com/hooks", headers: { ...signed, ...headers }, rawBody };
}

/** A telemetry that records every call, in order. */
function recording() {
  const calls: Array<[string, unknown]> = [];
  const telemetry: Telemetry = {
    request(start) {
      calls.push(["request", start]);
      return {
        verified: (delivery) => calls.push(["verified", delivery]),
        publish(delivery) {
          calls.push(["publish", delivery]);
          return { traceparent: PUBLISHED, tracestate: "vendor=1", end: (e) => calls.push(["published", e]) };
        },
        end: (answer) => calls.push(["end", answer]),
      };
    },
    dispatch(job) {
      calls.push(["dispatch", job]);
      return { end: (error, code) => calls.push(["dispatched", { error, code }]) };
    },
  };
  return { calls, telemetry, names: () => calls.map(([name]) => name) };
}

/** A telemetry that throws from every call. */
const throwing: Telemetry = {
  request() {
    return {
      verified() {
        throw new Error("verified");
      },
      publish() {
        return {
          get traceparent(): string {
            throw new Error("traceparent");
          },
          end() {
            throw new Error("published");
          },
        };
      },
      end() {
        throw new Error("end");
      },
    };
  },
  dispatch() {
    throw new Error("dispatch");
  },
};

/** A queue that keeps what it is given. */
function keepingQueue(): Queue & { jobs: QueuedDelivery[] } {
  const jobs: QueuedDelivery[] = [];
  return { jobs, enqueue: async (job) => void jobs.push(job) };
}

describe("telemetry", () => {
  it("inline: request with the incoming trace context, verified, end with the answer", async () => {
    const { calls, telemetry, names } = recording();
    const receiver = createReceiver({ scheme, telemetry }).on("invoice.paid", () => {});
    const result = await receiver.handle(await request("evt_1", { traceparent: PARENT, tracestate: "a=b" }));
    expect(result.status).toBe(200);
    expect(names()).toEqual(["request", "verified", "end"]);
    expect(calls[0]![1]).toEqual({ scheme: "stripe", trace: { traceparent: PARENT, tracestate: "a=b" } });
    expect(calls[1]![1]).toEqual({ scheme: "stripe", type: "invoice.paid", id: "evt_1" });
    expect(calls[2]![1]).toEqual({ outcome: "handled", status: 200 });
  });

  it("passes on no header but a well-formed traceparent and its tracestate", async () => {
    const { calls, telemetry } = recording();
    const receiver = createReceiver({ scheme, telemetry }).on("invoice.paid", () => {});
    await receiver.handle(await request("evt_2", { traceparent: "00-nothex-xx-01", tracestate: "a=b" }));
    await receiver.handle(await request("evt_3", { traceparent: PARENT, tracestate: "x".repeat(513) }));
    const traces = calls.filter(([name]) => name === "request").map(([, start]) => start);
    expect(traces).toEqual([
      { scheme: "stripe", trace: {} },
      { scheme: "stripe", trace: { traceparent: PARENT } },
    ]);
  });

  it("a refusal ends with its status and error code, and nothing is verified", async () => {
    const { calls, telemetry, names } = recording();
    const receiver = createReceiver({ scheme, telemetry }).on("invoice.paid", () => {});
    const tampered = await request("evt_4");
    tampered.rawBody = tampered.rawBody.replace("evt_4", "evt_5");
    const result = await receiver.handle(tampered);
    expect(result.status).toBe(401);
    expect(names()).toEqual(["request", "end"]);
    expect(calls[1]![1]).toEqual({ outcome: "rejected", status: 401, code: "signature_mismatch" });
  });

  it("hand-off: the published trace context goes into the job, outside the seal", async () => {
    const { calls, telemetry, names } = recording();
    const queue = keepingQueue();
    const receiver = createReceiver({ scheme, telemetry, queue });
    expect((await receiver.handle(await request("evt_6"))).status).toBe(202);
    expect(names()).toEqual(["request", "verified", "publish", "published", "end"]);
    const [job] = queue.jobs;
    expect(job).toMatchObject({ id: "evt_6", traceparent: PUBLISHED, tracestate: "vendor=1" });

    // A worker's receiver checks the seal: it holds with the trace context in the job.
    const worker = createReceiver({ scheme, telemetry }).on("invoice.paid", () => {});
    await worker.dispatch(job!, { verify: true, once: true });
    const dispatch = calls.find(([name]) => name === "dispatch")![1] as {
      trace: TraceContext;
      lagMs: number;
    };
    expect(dispatch).toMatchObject({ id: "evt_6", type: "invoice.paid", scheme: "stripe" });
    expect(dispatch.trace).toEqual({ traceparent: PUBLISHED, tracestate: "vendor=1" });
    expect(dispatch.lagMs).toBeGreaterThanOrEqual(0);
    expect(calls.at(-1)).toEqual(["dispatched", { error: undefined, code: undefined }]);
  });

  it("the job's trace context decides no trust: rewritten or garbage, the job still verifies; garbage is not passed on", async () => {
    const { calls, telemetry } = recording();
    const queue = keepingQueue();
    await createReceiver({ scheme, telemetry, queue }).handle(await request("evt_tp"));
    const handled: string[] = [];
    const worker = createReceiver({ scheme, telemetry }).on("invoice.paid", (event) => {
      handled.push(event.id);
    });
    const other = "00-11111111111111111111111111111111-2222222222222222-00";
    await worker.dispatch({ ...queue.jobs[0]!, traceparent: other, tracestate: "x=1" }, { verify: true });
    await worker.dispatch(
      { ...queue.jobs[0]!, traceparent: "garbage", tracestate: "y".repeat(10_000) },
      { verify: true },
    );
    expect(handled).toEqual(["evt_tp", "evt_tp"]);
    const traces = calls
      .filter(([name]) => name === "dispatch")
      .map(([, job]) => (job as { trace: TraceContext }).trace);
    expect(traces).toEqual([{ traceparent: other, tracestate: "x=1" }, {}]);
  });

  it("a queue that refuses: publish ends with the error, the request with queue_unavailable", async () => {
    const { calls, telemetry } = recording();
    const refused = new Error("redis down");
    const receiver = createReceiver({
      scheme,
      telemetry,
      queue: { enqueue: () => Promise.reject(refused) },
    });
    expect((await receiver.handle(await request("evt_7"))).status).toBe(503);
    expect(calls.find(([name]) => name === "published")![1]).toBe(refused);
    expect(calls.at(-1)![1]).toMatchObject({ outcome: "rejected", status: 503, code: "queue_unavailable" });
  });

  it("a failing job's dispatch ends with the error", async () => {
    const { calls, telemetry } = recording();
    const queue = memoryQueue({ retry: { attempts: 1 } });
    const failure = new Error("handler broke");
    const receiver = createReceiver({ scheme, telemetry, queue }).on("invoice.paid", () => {
      throw failure;
    });
    expect((await receiver.handle(await request("evt_8"))).status).toBe(202);
    await queue.onIdle();
    expect(calls.find(([name]) => name === "dispatched")![1]).toEqual({ error: failure, code: undefined });
  });

  it("a telemetry that throws everywhere changes no answer and no job", async () => {
    const handled: string[] = [];
    const inline = createReceiver({ scheme, telemetry: throwing }).on("invoice.paid", (e) => {
      handled.push(e.id);
    });
    expect((await inline.handle(await request("evt_9"))).status).toBe(200);
    expect((await inline.handle(await request("evt_9"))).outcome).toBe("duplicate");

    const queue = keepingQueue();
    const queued = createReceiver({ scheme, telemetry: throwing, queue });
    expect((await queued.handle(await request("evt_10"))).status).toBe(202);
    expect(queue.jobs[0]).not.toHaveProperty("traceparent");
    await inline.dispatch(queue.jobs[0]!, { verify: true });
    expect(handled).toEqual(["evt_9", "evt_10"]);

    const broken: Telemetry = {
      request() {
        throw new Error("request");
      },
    };
    const refusing = createReceiver({ scheme, telemetry: broken });
    expect((await refusing.handle({ ...(await request("evt_11")), method: "PUT" })).status).toBe(405);
  });

  it("within: the pipeline and a job's handlers run inside the handles, once whatever within does", async () => {
    const order: string[] = [];
    const wrappers: Array<(run: () => unknown) => unknown> = [
      (run) => {
        order.push("wrap");
        return run();
      },
      (run) => {
        run();
        return run(); // twice: still once
      },
      () => {
        throw new Error("within broke before running"); // never: run by the receiver itself
      },
      (run) => {
        run();
        throw new Error("within broke after running");
      },
    ];
    for (const [n, wrap] of wrappers.entries()) {
      const telemetry: Telemetry = {
        request: () => ({ end() {}, within: wrap as <T>(run: () => T) => T }),
        dispatch: () => ({ end() {}, within: wrap as <T>(run: () => T) => T }),
      };
      const queue = memoryQueue();
      const receiver = createReceiver({ scheme, telemetry, queue }).on("invoice.paid", (event) => {
        order.push(`handled ${event.id}`);
      });
      expect((await receiver.handle(await request(`evt_w${n}`))).status).toBe(202);
      await queue.onIdle();
    }
    expect(order).toEqual([
      "wrap",
      "wrap",
      "handled evt_w0",
      "handled evt_w1",
      "handled evt_w2",
      "handled evt_w3",
    ]);
  });

  it("refuses a telemetry that is not one, at creation", () => {
    expect(() => createReceiver({ scheme, telemetry: {} as Telemetry })).toThrow(/telemetry/);
    expect(() =>
      createReceiver({
        scheme,
        telemetry: { request: () => undefined, dispatch: 1 } as unknown as Telemetry,
      }),
    ).toThrow(/telemetry.dispatch/);
  });
});
