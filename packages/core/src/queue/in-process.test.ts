import { describe, expect, it } from "vitest";
import type { Queue, QueuedDelivery } from "../queue.js";
import { createReceiver } from "../receiver/create-receiver.js";
import { schemes } from "../schemes/index.js";
import type { StandardSchemaV1 } from "../standard-schema.js";
import type { WebhookEvent } from "../types.js";
import { memoryQueue } from "./memory-queue.js";

const secret = "whsec_in_process_tests";
const scheme = schemes.stripe({ secret });
const URL_ = "https://example.com/webhooks";
const NOW = new Date("2026-12-04T12:00:00.000Z");

/** A body with non-ASCII text, so a text round trip of the bytes would show. */
async function request(id: string) {
  const rawBody = Buffer.from(JSON.stringify({ id, type: "invoice.paid", data: { note: "café ☕ 𝄞" } }));
  const signed = await scheme.sign({ rawBody, timestamp: NOW });
  const headers: Record<string, string> = { ...signed, "content-type": "application/json" };
  return { method: "POST", url: URL_, headers, rawBody };
}

/** A queue that carries jobs out of the process: it keeps what it is given. */
function durableQueue(): Queue & { jobs: QueuedDelivery[] } {
  const jobs: QueuedDelivery[] = [];
  return {
    jobs,
    async enqueue(delivery) {
      jobs.push(delivery);
    },
  };
}

describe("in-process queues (Queue.enqueueInProcess)", () => {
  it("memoryQueue declares it, unless it re-verifies its jobs", () => {
    const dispatch = async () => {};
    expect(memoryQueue().attach!(dispatch)!.enqueueInProcess).toBeTypeOf("function");
    expect(memoryQueue({ once: true }).attach!(dispatch)!.enqueueInProcess).toBeTypeOf("function");
    expect(memoryQueue({ verify: true }).attach!(dispatch)!.enqueueInProcess).toBeUndefined();
  });

  it("the handler sees the very delivery the request verified: its bytes, dates and validated payload", async () => {
    // A schema whose output differs from its input: the handler must get the output.
    const Invoice: StandardSchemaV1<unknown, { id: string; validated: true }> = {
      "~standard": {
        version: 1,
        vendor: "test",
        validate: (value) => ({ value: { id: (value as { id: string }).id, validated: true } }),
      },
    };
    const queue = memoryQueue();
    const seen: WebhookEvent[] = [];
    const receiver = createReceiver({
      scheme,
      queue,
      tolerance: 300,
      now: () => NOW,
      events: { "invoice.paid": Invoice },
    }).on("invoice.paid", (event) => {
      seen.push(event);
    });
    const sent = await request("evt_same");
    const verified = await scheme.verify(sent, { now: NOW });
    expect((await receiver.handle(sent)).status).toBe(202);
    await queue.onIdle();
    expect(seen).toHaveLength(1);
    const [event] = seen;
    expect(Buffer.from(event!.rawBody).equals(sent.rawBody)).toBe(true);
    expect(event!.payload).toEqual({ id: "evt_same", validated: true });
    expect(event!.receivedAt).toEqual(NOW);
    expect(event!.timestamp).toEqual(verified.timestamp);
    expect({
      id: event!.id,
      type: event!.type,
      scheme: event!.scheme,
      matchedSecret: event!.matchedSecret,
    }).toEqual({
      id: verified.id,
      type: verified.type,
      scheme: verified.scheme,
      matchedSecret: verified.matchedSecret,
    });
  });

  it("each run of a job gets its own copy of the event: a failed attempt's changes do not reach the retry", async () => {
    const queue = memoryQueue({ retry: { attempts: 2, backoff: 1 } });
    const ids: string[] = [];
    const receiver = createReceiver({ scheme, queue, now: () => NOW }).on("invoice.paid", (event) => {
      ids.push(event.id);
      event.id = "changed by the handler";
      throw new Error("fails");
    });
    expect((await receiver.handle(await request("evt_copy"))).status).toBe(202);
    await queue.onIdle();
    expect(ids).toEqual(["evt_copy", "evt_copy"]);
  });

  it("a dead-lettered in-process job is given as every queue's job is: sealed plain JSON that a verifying dispatch accepts", async () => {
    const dead: QueuedDelivery[] = [];
    const queue = memoryQueue({
      retry: { attempts: 1 },
      onDeadLetter: (delivery) => void dead.push(delivery),
    });
    let fail = true;
    const handled: string[] = [];
    const receiver = createReceiver({ scheme, queue, now: () => NOW }).on("invoice.paid", (event) => {
      if (fail) throw new Error("fails");
      handled.push(event.id);
    });
    const sent = await request("evt_dead");
    expect((await receiver.handle(sent)).status).toBe(202);
    await queue.onIdle();
    expect(dead).toHaveLength(1);
    const job = dead[0]!;
    expect(JSON.parse(JSON.stringify(job))).toEqual(job);
    expect(job).toMatchObject({
      id: "evt_dead",
      type: "invoice.paid",
      receivedAt: NOW.toISOString(),
      url: URL_,
    });
    expect(job.rawBody).toBe(sent.rawBody.toString("utf8"));
    expect(job.seal).toMatch(/^v1\./);
    expect(job.headers["stripe-signature"]).toBe(sent.headers["stripe-signature"]);

    fail = false;
    await receiver.dispatch(job, { verify: true });
    expect(handled).toEqual(["evt_dead"]);
    // The seal is the one a worker checks: a changed key is refused.
    await expect(receiver.dispatch({ ...job, key: `${job.key}x` }, { verify: true })).rejects.toMatchObject({
      code: "signature_mismatch",
    });
  });

  it("a queue that carries jobs out of the process still gets a sealed, JSON-safe job that re-verifies", async () => {
    const queue = durableQueue();
    const sender = createReceiver({ scheme, queue, now: () => NOW });
    const sent = await request("evt_out");
    expect((await sender.handle(sent)).status).toBe(202);
    expect(queue.jobs).toHaveLength(1);
    const job = queue.jobs[0]!;
    expect(JSON.parse(JSON.stringify(job))).toEqual(job);
    expect(job.rawBody).toBe(sent.rawBody.toString("utf8"));
    expect(job.receivedAt).toBe(NOW.toISOString());
    expect(job.seal).toMatch(/^v1\./);

    const handled: string[] = [];
    const worker = createReceiver({ scheme, now: () => NOW }).on("invoice.paid", (event) => {
      handled.push(event.id);
    });
    await worker.dispatch(JSON.parse(JSON.stringify(job)), { verify: true });
    expect(handled).toEqual(["evt_out"]);
    await expect(
      worker.dispatch({ ...job, receivedAt: new Date(NOW.getTime() + 1000).toISOString() }, { verify: true }),
    ).rejects.toMatchObject({ code: "signature_mismatch" });
  });

  it("memoryQueue with verify: true still gets sealed jobs and re-verifies each one", async () => {
    const queue = memoryQueue({ verify: true });
    const handled: string[] = [];
    const receiver = createReceiver({ scheme, queue, now: () => NOW }).on("invoice.paid", (event) => {
      handled.push(event.id);
    });
    expect((await receiver.handle(await request("evt_verified"))).status).toBe(202);
    await queue.onIdle();
    expect(handled).toEqual(["evt_verified"]);
  });

  it("memoryQueue with once: runs a delivery's handlers once, under the key it was claimed with", async () => {
    const queue = memoryQueue({ once: true });
    const handled: string[] = [];
    const receiver = createReceiver({ scheme, queue, now: () => NOW }).on("invoice.paid", (event) => {
      handled.push(event.id);
    });
    const sent = await request("evt_once");
    expect((await receiver.handle(sent)).status).toBe(202);
    await queue.onIdle();
    expect((await receiver.handle(sent)).outcome).toBe("duplicate");
    await queue.onIdle();
    expect(handled).toEqual(["evt_once"]);
  });

  it("a queue that refuses an in-process job with a plain error answers 503 queue_unavailable and releases the key", async () => {
    let refuse = true;
    const held: unknown[] = [];
    const queue: Queue = {
      enqueue: async () => {},
      attach: () => ({
        enqueue: async () => {},
        enqueueInProcess(job) {
          if (refuse) throw new Error("broken");
          held.push(job);
        },
      }),
    };
    const receiver = createReceiver({ scheme, queue, now: () => NOW });
    const sent = await request("evt_refused");
    const refused = await receiver.handle(sent);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body).error.code).toBe("queue_unavailable");
    refuse = false;
    expect((await receiver.handle(sent)).status).toBe(202);
    expect(held).toHaveLength(1);
  });
});
