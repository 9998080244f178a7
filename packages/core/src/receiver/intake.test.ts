import { describe, expect, it } from "vitest";
import { generateEcdsaP256 } from "../internal/crypto.js";
import { memoryJournal } from "../journal/memory-journal.js";
import type { QueuedDelivery } from "../queue.js";
import { schemes } from "../schemes/index.js";
import { memoryStore } from "../store/memory-store.js";
import type { Delivery, Scheme, WebhookEvent } from "../types.js";
import { createReceiver } from "./create-receiver.js";
import type { ReceiverEvent } from "./types.js";

// What verified a delivery travels beside it through the receiver (its intake), never on it: a
// delivery in user code is plain data, and whatever the user does with it — spread it, clone it,
// hand a copy back to `dispatch` — it is keyed, deduplicated and journaled alike.

const secret = "whsec_intake_unit";
const stripe = schemes.stripe({ secret });
let counter = 0;

async function signed(id = `evt_intake_${++counter}`) {
  const rawBody = JSON.stringify({ id, type: "invoice.paid", object: "event", data: {} });
  const { headers } = await stripe.signRequest({ rawBody });
  return { method: "POST", headers, rawBody };
}

describe("a delivery in user code carries nothing a copy can lose", () => {
  it("dispatch of a verified delivery, its spread and its structured clone runs the handlers once", async () => {
    const seen: ReceiverEvent[] = [];
    let runs = 0;
    const receiver = createReceiver({ scheme: stripe, observe: (event) => seen.push(event) }).on(
      "invoice.paid",
      () => {
        runs++;
      },
    );
    const delivery = await stripe.verify(await signed());
    await receiver.dispatch(delivery, { once: true });
    await receiver.dispatch({ ...delivery }, { once: true });
    await receiver.dispatch(structuredClone(delivery), { once: true });
    expect(runs).toBe(1);
    expect(seen.filter((event) => event.kind === "duplicate")).toHaveLength(2);
  });

  it("a handler's copy of its event, dispatched again, is the same journal row as the request's", async () => {
    const journal = memoryJournal();
    let copy: WebhookEvent | undefined;
    const receiver = createReceiver({ scheme: stripe, journal }).on("invoice.paid", (event) => {
      copy ??= { ...event, payload: structuredClone(event.payload) };
    });
    const answer = await receiver.handle(await signed());
    expect(answer.status).toBe(200);
    await receiver.dispatch(copy!);
    const { entries } = await journal.list({});
    expect(entries).toHaveLength(1);
    const row = await journal.get(entries[0]!.key);
    // The request's run and the copy's run, on one row keyed with the secret's tenant.
    expect(row?.attempts).toBe(2);
    expect(row?.key.split(":")).toHaveLength(3);
  });

  it("under a secret function, a delivery dispatched as is is refused (which tenant is unknown); its queued job dedupes per tenant", async () => {
    // Two tenants whose senders reuse one event id: a key without the tenant would merge them.
    const tenants: Record<string, string> = { a: "whsec_tenant_a_unit", b: "whsec_tenant_b_unit" };
    const tenantScheme = schemes.stripe({
      secret: (request) => tenants[String(request.params?.tenant)] ?? [],
    });
    const jobs: QueuedDelivery[] = [];
    const store = memoryStore();
    const receiver = createReceiver({
      scheme: tenantScheme,
      store,
      queue: { enqueue: async (job) => void jobs.push(job) },
    });
    let runs = 0;
    receiver.on("invoice.paid", () => {
      runs++;
    });
    const rawBody = JSON.stringify({ id: "evt_shared", type: "invoice.paid", object: "event", data: {} });
    for (const tenant of ["a", "b"]) {
      const { headers } = await schemes.stripe({ secret: tenants[tenant]! }).signRequest({ rawBody });
      const answer = await receiver.handle({ method: "POST", headers, rawBody, params: { tenant } });
      expect(answer.status).toBe(202);
    }
    expect(jobs).toHaveLength(2);
    expect(jobs[0]!.tenant).not.toBe(jobs[1]!.tenant);
    for (const job of jobs) await receiver.dispatch(job, { once: true });
    expect(runs).toBe(2);

    const { headers } = await schemes.stripe({ secret: tenants.a! }).signRequest({ rawBody });
    const bare = await tenantScheme.verify({ headers, rawBody, params: { tenant: "a" } });
    await expect(receiver.dispatch(bare, { once: true })).rejects.toMatchObject({ code: "invalid_option" });
    // Without a key to make (no once, journal or ordering), the handlers just run.
    await receiver.dispatch(bare);
    expect(runs).toBe(3);
  });

  it("the events of a batch share the request's tenant: each is its own row under one tenant", async () => {
    const keys = await generateEcdsaP256();
    const sendgrid = schemes.sendgrid({ privateKey: keys.privateKey });
    const journal = memoryJournal();
    const receiver = createReceiver({
      scheme: sendgrid,
      journal,
      sealKey: "intake-seal-key-0123456789",
    }).onAny(() => {});
    const rawBody = JSON.stringify([
      { sg_event_id: "sg_a", event: "delivered", timestamp: Math.floor(Date.now() / 1000) },
      { sg_event_id: "sg_b", event: "open", timestamp: Math.floor(Date.now() / 1000) },
    ]);
    const { headers } = await sendgrid.signRequest({ rawBody });
    expect((await receiver.handle({ method: "POST", headers, rawBody })).status).toBe(200);
    const { entries } = await journal.list({});
    expect(entries.map((entry) => entry.id).sort()).toEqual(["sg_a", "sg_b"]);
    const tenants = new Set(entries.map((entry) => entry.tenant));
    expect(tenants.size).toBe(1);
    expect([...tenants][0]).toMatch(/^[\w-]{22}$/);
  });
});

describe("a scheme defineScheme did not build has no proof", () => {
  /** A hand-written scheme: its own `verify` (here over Stripe's, renamed), nothing else. */
  function handWritten(): Scheme {
    const verify = async (...args: Parameters<Scheme["verify"]>): Promise<Delivery> => ({
      ...(await stripe.verify(...args)),
      scheme: "own",
    });
    return {
      name: "own",
      facts: stripe.facts,
      verify,
      verifySync: () => {
        throw new Error("not here");
      },
      signRequest: (input) => stripe.signRequest(input),
      withSigningKey: () => handWritten(),
    };
  }

  it("is verified through its own verify, deduplicated with no tenant in its keys", async () => {
    let runs = 0;
    const receiver = createReceiver({ scheme: handWritten() }).on("invoice.paid", () => {
      runs++;
    });
    const request = await signed("evt_own_1");
    expect((await receiver.handle(request)).outcome).toBe("handled");
    expect((await receiver.handle(request)).outcome).toBe("duplicate");
    expect(runs).toBe(1);
  });

  it("seals what it keeps with the receiver's sealKey, and refuses to keep anything without one", async () => {
    const without = createReceiver({ scheme: handWritten(), journal: memoryJournal() }).onAny(() => {});
    const refused = await without.handle(await signed("evt_own_2"));
    expect([refused.status, refused.error?.code]).toEqual([500, "invalid_option"]);

    const journal = memoryJournal();
    const receiver = createReceiver({
      scheme: handWritten(),
      journal,
      sealKey: "own-seal-key-0123456789abcdef",
    }).onAny(() => {});
    expect((await receiver.handle(await signed("evt_own_3"))).status).toBe(200);
    const { entries } = await journal.list({});
    expect(entries.map((entry) => entry.key)).toEqual(["own:evt_own_3"]);
    const [replayed] = await receiver.replay("own:evt_own_3");
    expect(replayed?.outcome).toBe("handled");
  });

  it("a copy of a built scheme that keeps its verify keeps its engine: the same keys as the original", async () => {
    const store = memoryStore();
    const original = createReceiver({ scheme: stripe, store }).onAny(() => {});
    const copied = createReceiver({ scheme: { ...stripe }, store }).onAny(() => {});
    const request = await signed();
    expect((await original.handle(request)).outcome).toBe("handled");
    expect((await copied.handle(request)).outcome).toBe("duplicate");
  });
});
