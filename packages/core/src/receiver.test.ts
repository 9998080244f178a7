import { afterEach, describe, expect, it, vi } from "vitest";
import type { WebhookError } from "./errors.js";
import { forceWebCrypto } from "./internal/crypto.js";
import { memoryQueue } from "./queue/memory-queue.js";
import type { QueuedDelivery } from "./queue.js";
import { createReceiver } from "./receiver/create-receiver.js";
import type { ReceiverEvent, ReceiverOptions } from "./receiver/types.js";
import { schemes } from "./schemes/index.js";
import type { StandardSchemaV1 } from "./standard-schema.js";
import { memoryStore } from "./store/memory-store.js";
import type { IdempotencyStore } from "./store.js";

const secret = "whsec_receiver_tests";
const scheme = schemes.stripe({ secret });
const URL_ = "https://example.com/webhooks";

interface Invoice {
  id: string;
  type: string;
  data: { amount: number };
}

function invoice(id = "evt_1", amount = 100): Invoice {
  return { id, type: "invoice.paid", data: { amount } };
}

async function request(payload: unknown = invoice(), options: { timestamp?: Date; body?: string } = {}) {
  const rawBody = options.body ?? JSON.stringify(payload);
  const headers = await scheme.sign({ rawBody, timestamp: options.timestamp });
  return { method: "POST", url: URL_, headers, rawBody };
}

const json = (body: string) => JSON.parse(body) as Record<string, unknown>;
const errorCode = (body: string) => (json(body).error as { code: string }).code;

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const fn of cleanups.splice(0)) fn();
});

function receiverWith(options: Partial<ReceiverOptions> = {}) {
  return createReceiver({ scheme, ...options });
}

/** A schema, written to the Standard Schema interface as zod or valibot implement it. */
const invoiceSchema: StandardSchemaV1<unknown, Invoice> = {
  "~standard": {
    version: 1,
    vendor: "test",
    validate(value) {
      const amount = (value as Invoice)?.data?.amount;
      return typeof amount === "number" && amount >= 0
        ? { value: value as Invoice }
        : {
            issues: [{ message: "amount must be a non-negative number", path: ["data", { key: "amount" }] }],
          };
    },
  },
};

describe("answers", () => {
  it("200: runs the handlers inline and answers once they succeed", async () => {
    const seen: unknown[] = [];
    const receiver = receiverWith().on("invoice.paid", (event) => {
      seen.push(event.payload);
    });
    const result = await receiver.handle(await request());
    expect(result.status).toBe(200);
    expect(json(result.body)).toEqual({ status: "handled", id: "evt_1" });
    expect(result.headers["content-type"]).toMatch(/application\/json/);
    expect(result).toMatchObject({ outcome: "handled", id: "evt_1" });
    expect(result.error).toBeUndefined();
    expect(seen).toEqual([invoice()]);
  });

  it("200 duplicate: a completed delivery is acknowledged and not handled again", async () => {
    const handler = vi.fn();
    const receiver = receiverWith().on("invoice.paid", handler);
    const input = await request();
    expect((await receiver.handle(input)).status).toBe(200);
    const again = await receiver.handle(input);
    expect(again.status).toBe(200);
    expect(json(again.body)).toEqual({ status: "duplicate", id: "evt_1" });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it("dedupes by delivery id, not by signature: a re-signed retry is still a duplicate", async () => {
    const handler = vi.fn();
    const receiver = receiverWith().on("invoice.paid", handler);
    await receiver.handle(await request(invoice(), { timestamp: new Date(Date.now() - 60_000) }));
    const retry = await receiver.handle(await request());
    expect(json(retry.body)).toMatchObject({ status: "duplicate" });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it.each([
    [
      "400 missing_signature",
      async () => ({ ...(await request()), headers: { "content-type": "application/json" } }),
      400,
      "missing_signature",
    ],
    [
      "400 invalid_payload (signed, not JSON)",
      () => request(undefined, { body: "{not json" }),
      400,
      "invalid_payload",
    ],
    [
      "401 signature_mismatch",
      async () => ({ ...(await request()), rawBody: JSON.stringify(invoice("evt_1", 1_000_000)) }),
      401,
      "signature_mismatch",
    ],
    [
      "401 timestamp_too_old",
      () => request(invoice(), { timestamp: new Date(Date.now() - 301_000) }),
      401,
      "timestamp_too_old",
    ],
    [
      "401 timestamp_in_future",
      () => request(invoice(), { timestamp: new Date(Date.now() + 301_000) }),
      401,
      "timestamp_in_future",
    ],
    [
      "405 method_not_allowed",
      async () => ({ ...(await request()), method: "GET" }),
      405,
      "method_not_allowed",
    ],
    [
      "415 unsupported_media_type",
      async () => {
        const input = await request();
        return { ...input, headers: { ...input.headers, "content-type": "text/plain" } };
      },
      415,
      "unsupported_media_type",
    ],
    [
      "431 headers_too_large",
      async () => {
        const input = await request();
        return { ...input, headers: { ...input.headers, "x-padding": "x".repeat(20_000) } };
      },
      431,
      "headers_too_large",
    ],
  ])("%s", async (_, make, status, code) => {
    const handler = vi.fn();
    const receiver = receiverWith().on("invoice.paid", handler);
    const result = await receiver.handle(await make());
    expect(result.status).toBe(status);
    expect(errorCode(result.body)).toBe(code);
    expect(json(result.body).error).toEqual({ code, message: expect.stringMatching(/^hookgate: /) });
    expect(handler).not.toHaveBeenCalled();
  });

  it("405 names the allowed method", async () => {
    const result = await receiverWith().handle({ ...(await request()), method: "PUT" });
    expect(result.headers.allow).toBe("POST");
  });

  it("413: refuses a body over maxBodyBytes, by Content-Length before reading and while streaming without it", async () => {
    const receiver = receiverWith({ maxBodyBytes: 1024 });
    const big = JSON.stringify({ ...invoice(), data: { amount: 1, pad: "x".repeat(2048) } });
    const signed = await request(undefined, { body: big });
    const declared = await receiver.handle({
      ...signed,
      headers: { ...signed.headers, "content-length": String(big.length) },
    });
    expect(declared.status).toBe(413);
    expect(errorCode(declared.body)).toBe("body_too_large");

    let pulled = 0;
    async function* stream() {
      for (let i = 0; i < 100; i++) {
        pulled++;
        yield new TextEncoder().encode("x".repeat(512));
      }
    }
    const streamed = await receiver.handle({ ...signed, rawBody: stream() });
    expect(streamed.status).toBe(413);
    expect(pulled).toBeLessThan(5); // stopped reading as soon as the limit passed
  });

  it("reads the body from a Node-style stream and a Web ReadableStream", async () => {
    const receiver = receiverWith();
    const signed = await request();
    async function* chunks() {
      yield Buffer.from(signed.rawBody.slice(0, 10));
      yield Buffer.from(signed.rawBody.slice(10));
    }
    expect((await receiver.handle({ ...signed, rawBody: chunks() })).status).toBe(200);
    const other = await request(invoice("evt_2"));
    expect((await receiver.handle({ ...other, rawBody: new Response(other.rawBody).body! })).status).toBe(
      200,
    );
  });

  it("422: a payload that fails its schema is refused with the validator's issues, and the key is released", async () => {
    const handler = vi.fn();
    const store = memoryStore();
    const receiver = createReceiver({ scheme, store, events: { "invoice.paid": invoiceSchema } }).on(
      "invoice.paid",
      handler,
    );
    const result = await receiver.handle(await request(invoice("evt_bad", -5)));
    expect(result.status).toBe(422);
    expect(json(result.body).error).toMatchObject({
      code: "schema_validation_failed",
      details: { issues: [{ message: "amount must be a non-negative number", path: ["data", "amount"] }] },
    });
    expect(handler).not.toHaveBeenCalled();
    expect((await store.claim("stripe:evt_bad", { lockMs: 1000, ttlMs: 1000 })).status).toBe("claimed");
  });

  it("409: the same id in flight elsewhere gets Retry-After, and the sender's retry after completion is a duplicate", async () => {
    const gate = deferred();
    const handler = vi.fn(() => gate.promise);
    const receiver = receiverWith({ lockMs: 20_000 }).on("invoice.paid", handler);
    const input = await request();
    const first = receiver.handle(input);
    await vi.waitFor(() => expect(handler).toHaveBeenCalled());
    const second = await receiver.handle(input);
    expect(second.status).toBe(409);
    expect(errorCode(second.body)).toBe("in_flight");
    expect(second.headers["retry-after"]).toBe("20");
    gate.resolve();
    expect((await first).status).toBe(200);
    expect(json((await receiver.handle(input)).body)).toMatchObject({ status: "duplicate" });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it("500: a failing handler is answered 500, reported, and its key released so the retry is processed", async () => {
    const errors: unknown[] = [];
    let fail = true;
    const handler = vi.fn(() => {
      if (fail) throw new Error("database down");
    });
    const receiver = receiverWith()
      .on("invoice.paid", handler)
      .onError((error) => errors.push(error));
    const input = await request();
    const failed = await receiver.handle(input);
    expect(failed.status).toBe(500);
    expect(errorCode(failed.body)).toBe("handler_failed");
    expect(failed.body).not.toContain("database down"); // internals stay in the logs
    expect(failed).toMatchObject({ outcome: "rejected", id: "evt_1", error: { code: "handler_failed" } });
    expect(failed.error?.cause).toMatchObject({ message: "database down" }); // for in-process callers
    expect(errors).toHaveLength(1);
    expect((errors[0] as WebhookError).cause).toMatchObject({ message: "database down" });
    fail = false;
    expect((await receiver.handle(input)).status).toBe(200);
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it("503: an unreachable store is answered 503 with Retry-After, without running handlers", async () => {
    const handler = vi.fn();
    const broken: IdempotencyStore = {
      claim: () => Promise.reject(new Error("ECONNREFUSED")),
      extend: () => Promise.resolve(true),
      complete: () => Promise.resolve(true),
      release: () => Promise.resolve(),
      bind: () => Promise.reject(new Error("ECONNREFUSED")),
    };
    const result = await receiverWith({ store: broken })
      .on("invoice.paid", handler)
      .handle(await request());
    expect(result.status).toBe(503);
    expect(errorCode(result.body)).toBe("store_unavailable");
    expect(result.headers["retry-after"]).toBeDefined();
    expect(handler).not.toHaveBeenCalled();
  });

  it("503 within storeTimeoutMs: a store whose calls never resolve, while other requests keep being answered", async () => {
    const handler = vi.fn();
    const hung: IdempotencyStore = {
      claim: () => new Promise(() => {}),
      extend: () => new Promise(() => {}),
      complete: () => new Promise(() => {}),
      release: () => new Promise(() => {}),
      bind: () => new Promise(() => {}),
    };
    const receiver = receiverWith({ store: hung, storeTimeoutMs: 100 }).on("invoice.paid", handler);
    const inputs = await Promise.all(Array.from({ length: 20 }, (_, i) => request(invoice(`evt_h${i}`))));
    // The clock is the test's: each request is answered when storeTimeoutMs has passed on it.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    cleanups.push(() => vi.useRealTimers());
    let answered = 0;
    const pending = inputs.map((input) => receiver.handle(input).finally(() => answered++));
    // Let every request reach the store: turns of the event loop until store timers are pending
    // and no new one appears.
    for (let turns = 0, quiet = 0, seen = 0; quiet < 200 && turns < 100_000; turns++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      quiet = vi.getTimerCount() > 0 && vi.getTimerCount() === seen ? quiet + 1 : 0;
      seen = vi.getTimerCount();
    }
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    await vi.advanceTimersByTimeAsync(99);
    expect(answered).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    const results = await Promise.all(pending);
    for (const result of results) {
      expect(result.status).toBe(503);
      expect(errorCode(result.body)).toBe("store_unavailable");
      expect(result.headers["retry-after"]).toBeDefined();
    }
    expect(handler).not.toHaveBeenCalled();
    // A request the store is not needed for (a bad signature) is answered as usual meanwhile.
    const forged = await request();
    forged.rawBody = forged.rawBody.replace("evt_1", "evt_2");
    expect((await receiver.handle(forged)).status).toBe(401);
  });

  it("an inline handler that takes 3× lockMs runs once: the lease is held, a retry mid-way gets 409, then duplicate", async () => {
    const store = memoryStore();
    let running = 0;
    let maxRunning = 0;
    const handler = vi.fn(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 600));
      running--;
    });
    const receiver = receiverWith({ store, lockMs: 200 }).on("invoice.paid", handler);
    const input = await request();
    const first = receiver.handle(input);
    await new Promise((resolve) => setTimeout(resolve, 350)); // past lockMs: only the renewals hold it
    const retry = await receiver.handle(input);
    expect(retry.status).toBe(409);
    expect(errorCode(retry.body)).toBe("in_flight");
    expect((await first).status).toBe(200);
    expect(json((await receiver.handle(input)).body)).toMatchObject({ status: "duplicate" });
    expect(handler).toHaveBeenCalledTimes(1);
    expect(maxRunning).toBe(1);
  });

  it("a failing overlapping attempt never erases another attempt's completion (lease tokens)", async () => {
    const store = memoryStore();
    const key = "stripe:evt_1";
    const stale = await store.claim(key, { lockMs: 1, ttlMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const receiver = receiverWith({ store }).on("invoice.paid", () => {});
    expect((await receiver.handle(await request())).status).toBe(200);
    if (stale.status === "claimed") await store.release(key, stale.token); // the stale holder gives up late
    expect(json((await receiver.handle(await request())).body)).toMatchObject({ status: "duplicate" });
  });

  it("503: a queue that refuses the hand-off is answered 503 and the key released", async () => {
    const store = memoryStore();
    let up = false;
    const enqueued: QueuedDelivery[] = [];
    const queue = {
      async enqueue(delivery: QueuedDelivery) {
        if (!up) throw new Error("redis down");
        enqueued.push(delivery);
      },
    };
    const receiver = receiverWith({ store, queue });
    const input = await request();
    const refused = await receiver.handle(input);
    expect(refused.status).toBe(503);
    expect(errorCode(refused.body)).toBe("queue_unavailable");
    up = true;
    const accepted = await receiver.handle(input);
    expect(accepted.status).toBe(202);
    expect(json(accepted.body)).toEqual({ status: "queued", id: "evt_1" });
    expect(enqueued).toHaveLength(1);
  });

  it("403: allowIps is checked before any other work, for IPv4, IPv6 and IPv4-mapped addresses", async () => {
    const receiver = receiverWith({ allowIps: ["192.0.2.0/24", "2001:db8::/32", "203.0.113.7"] });
    const input = await request();
    const denied = await receiver.handle({ ...input, ip: "198.51.100.1", rawBody: "not even signed" });
    expect(denied.status).toBe(403);
    expect(errorCode(denied.body)).toBe("forbidden_ip");
    expect((await receiver.handle({ ...input, ip: undefined })).status).toBe(403);
    expect((await receiver.handle({ ...input, ip: "::ffff:192.0.2.44" })).status).toBe(200);
    expect((await receiver.handle({ ...(await request(invoice("e2"))), ip: "2001:db8::1" })).status).toBe(
      200,
    );
    expect((await receiver.handle({ ...(await request(invoice("e3"))), ip: "203.0.113.7" })).status).toBe(
      200,
    );
    expect(() => receiverWith({ allowIps: ["not-an-ip"] })).toThrow(/allowIps entry "not-an-ip"/);
  });
});

describe("duplicates and retries", () => {
  it("200 concurrent identical deliveries run the handler exactly once", async () => {
    let calls = 0;
    const receiver = receiverWith().on("invoice.paid", async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 20));
    });
    const input = await request();
    const results = await Promise.all(Array.from({ length: 200 }, () => receiver.handle(input)));
    expect(calls).toBe(1);
    const outcomes = results.map((r) => (r.status === 200 ? json(r.body).status : errorCode(r.body)));
    expect(outcomes.filter((o) => o === "handled")).toHaveLength(1);
    expect(outcomes.every((o) => o === "handled" || o === "duplicate" || o === "in_flight")).toBe(true);
  });

  it("a handler that fails twice then succeeds, with the sender retrying, succeeds once and never runs again", async () => {
    let attempts = 0;
    let successes = 0;
    const receiver = receiverWith().on("invoice.paid", () => {
      attempts++;
      if (attempts <= 2) throw new Error(`attempt ${attempts} failed`);
      successes++;
    });
    const input = await request();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await receiver.handle(input)).status);
    expect(statuses).toEqual([500, 500, 200, 200, 200]);
    expect(attempts).toBe(3);
    expect(successes).toBe(1);
  });

  it("namespaces keep tenants sharing one store apart", async () => {
    const store = memoryStore();
    const a = vi.fn();
    const b = vi.fn();
    const input = await request();
    await receiverWith({ store, namespace: "tenant-a" }).on("invoice.paid", a).handle(input);
    await receiverWith({ store, namespace: "tenant-b" }).on("invoice.paid", b).handle(input);
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);
  });
});

describe("queue hand-off", () => {
  it("answers 202 without waiting for the handler, which is still running", async () => {
    const queue = memoryQueue();
    let finished = false;
    const started = deferred();
    // The handler finishes only when the test lets it: the answer cannot have waited for it.
    const release = deferred();
    cleanups.push(() => release.resolve());
    const receiver = receiverWith({ queue }).on("invoice.paid", async () => {
      started.resolve();
      await release.promise;
      finished = true;
    });
    const result = await receiver.handle(await request(invoice("evt_slow")));
    expect(result.status).toBe(202);
    await started.promise;
    expect(finished).toBe(false);
  });

  it("memoryQueue retries a failing handler with backoff, then dead-letters it", async () => {
    const dead: Array<[QueuedDelivery, unknown]> = [];
    const queue = memoryQueue({
      retry: { attempts: 3, backoff: 5 },
      onDeadLetter: (d, e) => void dead.push([d, e]),
    });
    const handler = vi.fn(() => {
      throw new Error("always");
    });
    const receiver = receiverWith({ queue }).on("invoice.paid", handler);
    expect((await receiver.handle(await request())).status).toBe(202);
    await queue.onIdle();
    expect(handler).toHaveBeenCalledTimes(3);
    expect(dead).toHaveLength(1);
    expect(dead[0]![0]).toMatchObject({ id: "evt_1", type: "invoice.paid", scheme: "stripe" });
    expect(dead[0]![1]).toMatchObject({ message: "always" });
  });

  it("memoryQueue recovers when a retry succeeds", async () => {
    const queue = memoryQueue({ retry: { attempts: 5, backoff: () => 1 } });
    let calls = 0;
    const receiver = receiverWith({ queue }).on("invoice.paid", () => {
      if (++calls < 3) throw new Error("flaky");
    });
    await receiver.handle(await request());
    await queue.onIdle();
    expect(calls).toBe(3);
  });

  it("memoryQueue answers 503 with Retry-After at maxPending (back-pressure) and drops nothing", async () => {
    const gate = deferred();
    cleanups.push(gate.resolve);
    const queue = memoryQueue({ concurrency: 1, maxPending: 2 });
    const handled: string[] = [];
    const receiver = receiverWith({ queue }).on("invoice.paid", async (event) => {
      await gate.promise;
      handled.push(event.id);
    });
    expect((await receiver.handle(await request(invoice("q1")))).status).toBe(202);
    expect((await receiver.handle(await request(invoice("q2")))).status).toBe(202);
    const full = await receiver.handle(await request(invoice("q3")));
    expect(full.status).toBe(503);
    expect(errorCode(full.body)).toBe("queue_full");
    expect(full.headers["retry-after"]).toBe("5");
    gate.resolve();
    await queue.onIdle();
    expect((await receiver.handle(await request(invoice("q3")))).status).toBe(202); // the refused one was released
    await queue.onIdle();
    expect(handled).toEqual(["q1", "q2", "q3"]);
  });

  it("memoryQueue runs at most `concurrency` handlers at once", async () => {
    const queue = memoryQueue({ concurrency: 2 });
    let running = 0;
    let peak = 0;
    const receiver = receiverWith({ queue }).on("invoice.paid", async () => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 10));
      running--;
    });
    for (let i = 0; i < 6; i++) await receiver.handle(await request(invoice(`c${i}`)));
    await queue.onIdle();
    expect(peak).toBe(2);
  });

  it("queued deliveries are plain JSON that a worker can dispatch and re-verify long after the tolerance", async () => {
    const enqueued: QueuedDelivery[] = [];
    const producer = receiverWith({ queue: { enqueue: async (d) => void enqueued.push(d) } });
    const input = await request();
    await producer.handle({
      ...input,
      headers: { ...input.headers, authorization: "Bearer x", cookie: "s=1" },
    });
    const wire = JSON.parse(JSON.stringify(enqueued[0])) as QueuedDelivery;
    expect(wire).toMatchObject({
      id: "evt_1",
      type: "invoice.paid",
      scheme: "stripe",
      matchedSecret: { index: 0 },
    });
    // Credentials are kept as [redacted]: the job carries no secret, and the seal covers the names.
    expect(wire.headers.authorization).toBe("[redacted]");
    expect(wire.headers.cookie).toBe("[redacted]");
    expect(JSON.stringify(wire)).not.toContain("Bearer x");
    expect(typeof wire.receivedAt).toBe("string");

    const handler = vi.fn();
    const worker = createReceiver({ scheme, now: () => new Date(Date.now() + 86_400_000) }).on(
      "invoice.paid",
      handler,
    );
    await worker.dispatch(wire, { verify: true });
    expect(handler).toHaveBeenCalledWith(
      expect.objectContaining({ id: "evt_1", payload: invoice(), receivedAt: expect.any(Date) }),
    );

    const forged = { ...wire, rawBody: JSON.stringify(invoice("evt_1", 999)) };
    await expect(worker.dispatch(forged, { verify: true })).rejects.toMatchObject({
      code: "signature_mismatch",
    });
  });
});

describe("dispatch({ once: true }) — what queue workers call", () => {
  it("runs each delivery's handlers once across workers sharing the store, and again only after a failure", async () => {
    const store = memoryStore();
    const enqueued: QueuedDelivery[] = [];
    const queue = { enqueue: async (delivery: QueuedDelivery) => void enqueued.push(delivery) };
    let fail = true;
    const handler = vi.fn(() => {
      if (fail) throw new Error("downstream down");
    });
    const front = receiverWith({ store, queue });
    const workerA = receiverWith({ store }).on("invoice.paid", handler);
    const workerB = receiverWith({ store }).on("invoice.paid", handler);
    expect((await front.handle(await request())).status).toBe(202);
    const [job] = enqueued;
    // Namespace-free key: scheme, the identity of the secrets that verified it, and the id.
    expect(job?.key).toMatch(/^stripe:[A-Za-z0-9_-]{22}:evt_1$/);

    await expect(workerA.dispatch(job!, { once: true })).rejects.toThrow("downstream down");
    fail = false;
    // The failed attempt released its claim: the queue's retry runs the handlers.
    await workerB.dispatch(job!, { once: true });
    // A second copy of the job (the queue forgot it, the sender retried, two workers got it) does not.
    await workerA.dispatch(job!, { once: true });
    await workerB.dispatch(structuredClone(job!), { once: true });
    expect(handler).toHaveBeenCalledTimes(2);
  });

  it("rejects with in_flight while another worker runs the same delivery", async () => {
    const store = memoryStore();
    const gate = deferred();
    const enqueued: QueuedDelivery[] = [];
    const front = receiverWith({
      store,
      queue: { enqueue: async (d: QueuedDelivery) => void enqueued.push(d) },
    });
    const worker = receiverWith({ store }).on("invoice.paid", () => gate.promise);
    await front.handle(await request());
    const first = worker.dispatch(enqueued[0]!, { once: true });
    await expect(worker.dispatch(enqueued[0]!, { once: true })).rejects.toMatchObject({ code: "in_flight" });
    gate.resolve();
    await first;
  });
});

describe("routing", () => {
  it("a handler on a prefix receives every type under it; onAny receives all; order is registration order", async () => {
    const github = schemes.github({ secret: "gh" });
    const calls: string[] = [];
    const receiver = createReceiver({ scheme: github })
      .on("issues", (e) => void calls.push(`issues:${e.type}`))
      .on("issues.opened", (e) => void calls.push(`opened:${e.type}`))
      .on("issue", () => void calls.push("wrong-prefix"))
      .onAny((e) => void calls.push(`any:${e.type}`));
    const rawBody = JSON.stringify({ action: "opened", issue: { number: 1 } });
    const headers = await github.sign({ rawBody, id: "d1", type: "issues" });
    expect((await receiver.handle({ method: "POST", headers, rawBody })).status).toBe(200);
    expect(calls).toEqual(["issues:issues.opened", "opened:issues.opened", "any:issues.opened"]);
  });

  it("answers handshakes without claiming or running handlers", async () => {
    const slack = schemes.slack({ secret: "s" });
    const handler = vi.fn();
    const store = memoryStore();
    const receiver = createReceiver({ scheme: slack, store }).onAny(handler);
    const rawBody = JSON.stringify({ type: "url_verification", challenge: "abc123" });
    const headers = await slack.sign({ rawBody });
    const result = await receiver.handle({ method: "POST", headers, rawBody });
    expect(result.status).toBe(200);
    expect(json(result.body)).toEqual({ challenge: "abc123" });
    expect(handler).not.toHaveBeenCalled();
    expect(store.size).toBe(0);
  });

  it("parses form bodies (Twilio) into fields for handlers", async () => {
    const twilio = schemes.twilio({ secret: "token" });
    const seen: unknown[] = [];
    const receiver = createReceiver({ scheme: twilio }).on(
      "message",
      (e) => void seen.push([e.type, e.payload]),
    );
    const rawBody = "MessageSid=SM1&SmsStatus=received&Body=Hi+there";
    const url = "https://example.com/sms";
    const headers = await twilio.sign({ rawBody, url, id: "idem-1" });
    expect((await receiver.handle({ method: "POST", url, headers, rawBody })).status).toBe(200);
    expect(seen).toEqual([
      ["message.received", { MessageSid: "SM1", SmsStatus: "received", Body: "Hi there" }],
    ]);
  });
});

describe("fetch, observe and errors", () => {
  it("fetch answers a Web Request with a Response", async () => {
    const receiver = receiverWith().on("invoice.paid", () => {});
    const input = await request();
    const response = await receiver.fetch(
      new Request(URL_, { method: "POST", headers: input.headers, body: input.rawBody }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "handled", id: "evt_1" });
    const bad = await receiver.fetch(
      new Request(URL_, { method: "POST", headers: input.headers, body: `${input.rawBody} ` }),
    );
    expect(bad.status).toBe(401);
  });

  it("fetch reads the header record of Node's HTTP/1 request where the server passes it, and the Request's headers otherwise", async () => {
    const receiver = receiverWith().on("invoice.paid", () => {});
    const input = await request();
    const record = { ...input.headers, "content-length": String(input.rawBody.length) };
    // The Request itself carries no signature: what verifies is the record beside it.
    const unsigned = () =>
      new Request(URL_, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: input.rawBody,
      });
    const http1 = { httpVersionMajor: 1, rawHeaders: [], headers: record };
    const ok = await receiver.fetch(unsigned(), { incoming: http1 });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ status: "handled", id: "evt_1" });
    // HTTP/2, or anything not shaped like Node's request: the Request's own headers.
    for (const incoming of [{ ...http1, httpVersionMajor: 2 }, { headers: record }, null, "node"]) {
      const refused = await receiver.fetch(unsigned(), { incoming });
      expect(refused.status).toBe(400);
      expect(errorCode(await refused.text())).toBe("missing_signature");
    }
  });

  it("observe sees each step with typed fields, and a throwing observer changes nothing", async () => {
    const events: ReceiverEvent[] = [];
    const receiver = receiverWith({
      observe: (e) => {
        events.push(e);
        throw new Error("observer bug");
      },
    }).on("invoice.paid", () => {});
    const input = await request();
    expect((await receiver.handle(input)).status).toBe(200);
    expect((await receiver.handle(input)).status).toBe(200);
    expect((await receiver.handle({ ...input, rawBody: "{}" })).status).toBe(401);
    expect(events.map((e) => e.kind)).toEqual(["verified", "handled", "verified", "duplicate", "rejected"]);
    expect(events[1]).toMatchObject({
      kind: "handled",
      id: "evt_1",
      type: "invoice.paid",
      handlers: 1,
      durationMs: expect.any(Number),
    });
    expect(events[4]).toMatchObject({ kind: "rejected", code: "signature_mismatch", status: 401 });
  });

  it("explains a body a framework already consumed, and logs the set-up error once", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    cleanups.push(() => log.mockRestore());
    const receiver = receiverWith();
    const input = await request();
    for (let i = 0; i < 3; i++) {
      const result = await receiver.handle({
        ...input,
        rawBody: new Uint8Array(0),
        bodyConsumedBy: "express.json()",
      });
      expect(result.status).toBe(500);
      expect(json(result.body).error).toMatchObject({
        code: "raw_body_required",
        message: expect.stringMatching(
          /already read by express\.json\(\).*Let hookgate read the body first: mount the webhook route before/,
        ),
      });
    }
    const parsed = await receiver.handle({ ...input, rawBody: JSON.parse(input.rawBody) });
    expect(errorCode(parsed.body)).toBe("raw_body_required");
    expect(log).toHaveBeenCalledTimes(1);
  });
});

describe("options are checked at creation", () => {
  it.each([
    ["tolerance", Number.NaN],
    ["tolerance", 0],
    ["tolerance", -5],
    ["maxBodyBytes", Number.NaN],
    ["maxBodyBytes", 0],
    ["maxBodyBytes", Number.POSITIVE_INFINITY],
    ["maxHeaderBytes", Number.NaN],
    ["lockMs", Number.NaN],
    ["lockMs", 1.5],
    ["ttlMs", Number(undefined)],
    ["storeTimeoutMs", -1],
    ["bodyTimeoutMs", Number.NaN],
    ["maxBodyBytes", "1024"],
  ])("%s: %s → invalid_option naming the option and the value", (name, value) => {
    let error: unknown;
    try {
      createReceiver({ scheme, [name]: value } as unknown as ReceiverOptions);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ name: "WebhookError", code: "invalid_option" });
    expect((error as Error).message).toContain(name);
    expect((error as Error).message).toContain(
      typeof value === "string" ? JSON.stringify(value) : String(value),
    );
  });

  it("tolerance: Infinity turns freshness off; tolerance: 0 says to use Infinity", async () => {
    const old = await request(invoice(), { timestamp: new Date(Date.now() - 86_400_000) });
    const receiver = receiverWith({ tolerance: Number.POSITIVE_INFINITY }).on("invoice.paid", () => {});
    expect((await receiver.handle(old)).status).toBe(200);
    expect(() => receiverWith({ tolerance: 0 })).toThrow(/Infinity to turn the freshness check off/);
  });

  it("a missing scheme is an invalid_option WebhookError, not a TypeError", () => {
    expect(() => createReceiver({} as ReceiverOptions)).toThrow(
      expect.objectContaining({ code: "invalid_option", message: expect.stringContaining("scheme") }),
    );
  });
});

describe("unknown events", () => {
  it("acknowledges a verified event with no handler (200 ignored), reports it, and remembers it", async () => {
    const seen: ReceiverEvent[] = [];
    const receiver = receiverWith({ observe: (event) => seen.push(event) }).on("customer.created", () => {});
    const input = await request();
    const first = await receiver.handle(input);
    expect(first).toMatchObject({ status: 200, outcome: "ignored" });
    expect(json(first.body)).toEqual({ status: "ignored", id: "evt_1" });
    expect(seen.some((event) => event.kind === "unhandled" && event.type === "invoice.paid")).toBe(true);
    expect(json((await receiver.handle(input)).body)).toMatchObject({ status: "duplicate" });
  });

  it('unknownEvents: "reject" answers 422 unhandled_event and releases the key', async () => {
    const store = memoryStore();
    const receiver = receiverWith({ store, unknownEvents: "reject" });
    const refused = await receiver.handle(await request());
    expect(refused.status).toBe(422);
    expect(errorCode(refused.body)).toBe("unhandled_event");
    receiver.on("invoice.paid", () => {});
    expect((await receiver.handle(await request())).status).toBe(200);
  });
});

describe("memoryQueue shared by two receivers", () => {
  it("runs each job with the handlers of the receiver that enqueued it", async () => {
    const queue = memoryQueue({ retry: { attempts: 1 } });
    const github = schemes.github({ secret: "gh" });
    const ran: string[] = [];
    const stripeReceiver = createReceiver({ scheme, queue }).onAny(
      (event) => void ran.push(`stripe:${event.type}`),
    );
    createReceiver({ scheme: github, queue }).onAny((event) => void ran.push(`github:${event.type}`));
    expect((await stripeReceiver.handle(await request())).status).toBe(202);
    await queue.onIdle();
    expect(ran).toEqual(["stripe:invoice.paid"]);
  });
});

describe("bodies", () => {
  it("408: a body that does not arrive within bodyTimeoutMs is cut, and the receiver answers", async () => {
    const handler = vi.fn();
    const receiver = receiverWith({ bodyTimeoutMs: 100 }).on("invoice.paid", handler);
    const { headers } = await request();
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull: () => new Promise((resolve) => setTimeout(resolve, 50)).then(() => undefined),
      cancel() {
        cancelled = true;
      },
    });
    const result = await receiver.handle({ method: "POST", url: URL_, headers, rawBody: endless });
    expect(result.status).toBe(408);
    expect(errorCode(result.body)).toBe("body_timeout");
    expect(cancelled).toBe(true);
    expect(handler).not.toHaveBeenCalled();
  });

  it.each([false, true])(
    "a body starting with a UTF-8 BOM is parsed the same way on every runtime (Web Crypto: %s)",
    async (web) => {
      forceWebCrypto(web);
      cleanups.push(() => forceWebCrypto(false));
      const received: unknown[] = [];
      const receiver = receiverWith().on("invoice.paid", (event) => void received.push(event.payload));
      const body = `\uFEFF${JSON.stringify(invoice("evt_bom"))}`;
      const result = await receiver.handle(await request(undefined, { body }));
      expect(result.status).toBe(200);
      expect(received).toEqual([invoice("evt_bom")]);
    },
  );
});

describe("queue and error-listener bounds", () => {
  it("503 within queueTimeoutMs: a queue that never accepts is not waited on, and the key is released", async () => {
    const store = memoryStore();
    const hung = { enqueue: () => new Promise<void>(() => {}) };
    const receiver = receiverWith({ store, queue: hung, queueTimeoutMs: 100 });
    const result = await receiver.handle(await request());
    expect(result.status).toBe(503);
    expect(errorCode(result.body)).toBe("queue_unavailable");
    expect((await store.claim("stripe:evt_1", { lockMs: 1000, ttlMs: 1000 })).status).toBe("claimed");
  });

  it("onError hears failures but not the ordinary 409 to a retry while another attempt works", async () => {
    const gate = deferred();
    const errors: unknown[] = [];
    const receiver = receiverWith()
      .on("invoice.paid", () => gate.promise)
      .onError((error) => errors.push(error));
    const input = await request();
    const first = receiver.handle(input);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await receiver.handle(input)).status).toBe(409);
    gate.resolve();
    await first;
    expect(errors).toEqual([]);
  });
});
