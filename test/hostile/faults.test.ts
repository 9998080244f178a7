import {
  createReceiver,
  type IdempotencyStore,
  memoryQueue,
  memoryStore,
  type Queue,
  type ReceiverOptions,
  schemes,
} from "@hookgate/core";
import { describe, expect, it, vi } from "vitest";

// Fault injection through the store and queue interfaces: each failure gets the right status,
// frees the key (the sender's retry is processed), and nothing is acknowledged (2xx) that was not
// handled or durably enqueued.

const stripe = schemes.stripe({ secret: "whsec_hostile_faults" });
let sequence = 0;

async function delivery() {
  const body = JSON.stringify({ id: `evt_fault_${++sequence}`, type: "invoice.paid", data: {} });
  const headers = await stripe.sign({ rawBody: body });
  return { method: "POST", url: "http://127.0.0.1/webhooks", headers, rawBody: body };
}

/** A store over a memoryStore whose methods can be made to fail, hang, or misbehave. */
function faultyStore() {
  const inner = memoryStore();
  const faults: Partial<Record<keyof IdempotencyStore, "throw" | "hang">> = {};
  const releases: string[] = [];
  const call = <T>(name: keyof IdempotencyStore, run: () => Promise<T>): Promise<T> => {
    if (faults[name] === "throw") return Promise.reject(new Error(`${name}: connection reset`));
    if (faults[name] === "hang") return new Promise<T>(() => {});
    return run();
  };
  const store: IdempotencyStore = {
    claim: (key, options) => call("claim", () => inner.claim(key, options)),
    extend: (key, token, options) => call("extend", () => inner.extend(key, token, options)),
    complete: (key, token, options) => call("complete", () => inner.complete(key, token, options)),
    release: (key, token) =>
      call("release", () => {
        releases.push(key);
        return inner.release(key, token);
      }),
    bind: (key, value, options) => call("bind", () => inner.bind(key, value, options)),
  };
  return { store, inner, faults, releases };
}

function receiverWith(options: Partial<ReceiverOptions<{}>>) {
  const receiver = createReceiver({ scheme: stripe, storeTimeoutMs: 200, ...options });
  const handled: string[] = [];
  const errors: unknown[] = [];
  receiver.onError((error) => void errors.push(error));
  return { receiver, handled, errors };
}

describe("faults: the store", () => {
  it("store throws on claim: 503 store_unavailable with Retry-After, handler not run", async () => {
    const { store, faults } = faultyStore();
    const { receiver, handled } = receiverWith({ store });
    receiver.on("invoice.paid", (event) => void handled.push(event.id));
    faults.claim = "throw";
    const request = await delivery();
    const answer = await receiver.handle(request);
    expect(answer.status).toBe(503);
    expect(answer.headers["retry-after"]).toBeDefined();
    expect(JSON.parse(answer.body).error.code).toBe("store_unavailable");
    expect(handled).toEqual([]);
    // The store recovers: the sender's retry is processed once.
    delete faults.claim;
    expect((await receiver.handle(request)).status).toBe(200);
    expect((await receiver.handle(request)).status).toBe(200);
    expect(handled).toHaveLength(1);
  });

  it("store hangs on claim: 503 once storeTimeoutMs passes, handler not run", async () => {
    const { store, faults } = faultyStore();
    const { receiver, handled } = receiverWith({ store, storeTimeoutMs: 150 });
    receiver.on("invoice.paid", (event) => void handled.push(event.id));
    faults.claim = "hang";
    const request = await delivery();
    // The clock is the test's: the answer comes when storeTimeoutMs has passed on it.
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      let answered = false;
      const answering = receiver.handle(request).finally(() => (answered = true));
      // Event-loop turns until the store call is pending under its timer.
      for (let turns = 0; turns < 100_000 && vi.getTimerCount() === 0; turns++) {
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await vi.advanceTimersByTimeAsync(149);
      expect(answered).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(answered).toBe(true);
      expect((await answering).status).toBe(503);
    } finally {
      vi.useRealTimers();
    }
    expect(handled).toEqual([]);
  });

  it("store throws on complete after the handler ran: still 200 (handled), the failure is reported", async () => {
    const { store, faults } = faultyStore();
    const { receiver, handled, errors } = receiverWith({ store });
    receiver.on("invoice.paid", (event) => void handled.push(event.id));
    faults.complete = "throw";
    const answer = await receiver.handle(await delivery());
    expect(answer.status).toBe(200);
    expect(handled).toHaveLength(1);
    expect(errors.length).toBeGreaterThan(0);
  });

  it("store release throws or hangs after a failed handler: still 500, handle() resolves", async () => {
    for (const fault of ["throw", "hang"] as const) {
      const { store, faults } = faultyStore();
      const { receiver } = receiverWith({ store, storeTimeoutMs: 100 });
      receiver.on("invoice.paid", () => {
        throw new Error("handler bug");
      });
      faults.release = fault;
      const answer = await receiver.handle(await delivery());
      expect(answer.status, fault).toBe(500);
    }
  });

  it("a custom store whose release() returns nothing: the failed delivery is released and retried", async () => {
    const inner = memoryStore();
    const store = {
      claim: (key, options) => inner.claim(key, options),
      extend: (key, token, options) => inner.extend(key, token, options),
      complete: (key, token, options) => inner.complete(key, token, options),
      release(key: string, token: string) {
        void inner.release(key, token);
      },
      bind: (key, value, options) => inner.bind(key, value, options),
    } as IdempotencyStore;
    let fail = true;
    const queue: Queue = {
      async enqueue() {
        if (fail) throw new Error("broker down");
      },
    };
    const { receiver } = receiverWith({ store, queue });
    const request = await delivery();
    expect((await receiver.handle(request)).status).toBe(503);
    fail = false;
    expect((await receiver.handle(request)).status).toBe(202);
  });
});

describe("faults: the queue and the handler", () => {
  it("queue throws: 503 queue_unavailable, key released, the retry is enqueued once", async () => {
    const enqueued: string[] = [];
    let fail = true;
    const queue: Queue = {
      async enqueue(queued) {
        if (fail) throw new Error("ECONNREFUSED");
        enqueued.push(queued.id);
      },
    };
    const store = memoryStore();
    const { receiver } = receiverWith({ store, queue });
    const request = await delivery();
    const refused = await receiver.handle(request);
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body).error.code).toBe("queue_unavailable");
    expect(refused.headers["retry-after"]).toBeDefined();
    // The delivery's key was released: all the store holds is the receiver's identity binding.
    expect(store.size).toBe(1);
    fail = false;
    expect((await receiver.handle(request)).status).toBe(202);
    expect((await receiver.handle(request)).status).toBe(200);
    expect(enqueued).toHaveLength(1);
  });

  it("queue full: 503 queue_full with Retry-After, key released, accepted once the queue drains", async () => {
    const queue = memoryQueue({ concurrency: 1, maxPending: 1, retry: { attempts: 1 } });
    const store = memoryStore();
    const { receiver, handled } = receiverWith({ store, queue });
    let unblock!: () => void;
    const blocked = new Promise<void>((resolve) => {
      unblock = resolve;
    });
    receiver.on("invoice.paid", async (event) => {
      if (handled.length === 0) await blocked;
      handled.push(event.id);
    });
    const first = await delivery();
    const second = await delivery();
    expect((await receiver.handle(first)).status).toBe(202);
    const full = await receiver.handle(second);
    expect(full.status).toBe(503);
    expect(JSON.parse(full.body).error.code).toBe("queue_full");
    expect(full.headers["retry-after"]).toBeDefined();
    unblock();
    await queue.onIdle();
    expect((await receiver.handle(second)).status).toBe(202);
    await queue.onIdle();
    expect(handled).toHaveLength(2);
  });

  it("handler throws: 500 handler_failed, key released, the retry runs it again and is acknowledged", async () => {
    const store = memoryStore();
    const { receiver } = receiverWith({ store });
    let runs = 0;
    receiver.on("invoice.paid", () => {
      runs++;
      if (runs === 1) throw new Error("flaky");
    });
    const request = await delivery();
    const failed = await receiver.handle(request);
    expect(failed.status).toBe(500);
    expect(JSON.parse(failed.body).error.code).toBe("handler_failed");
    // The delivery's key was released: all the store holds is the receiver's identity binding.
    expect(store.size).toBe(1);
    expect((await receiver.handle(request)).status).toBe(200);
    expect((await receiver.handle(request)).status).toBe(200);
    expect(runs).toBe(2);
  });
});
