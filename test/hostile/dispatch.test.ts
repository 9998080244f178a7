import { createReceiver, type QueuedDelivery, schemes } from "@hookgate/core";
import { describe, expect, it } from "vitest";

// Hole 4: a queued delivery is plain JSON in someone else's system (Redis, PostgreSQL); whoever
// can write there must not be able to choose what the handlers see when workers verify.

describe("hole 4: dispatch({ verify: true }) runs handlers on what the signed bytes say", () => {
  const stripe = schemes.stripe({ secret: "whsec_hostile_dispatch" });

  async function queuedInvoice() {
    const queued: QueuedDelivery[] = [];
    const receiver = createReceiver({
      scheme: stripe,
      queue: { enqueue: async (delivery) => void queued.push(delivery) },
    });
    const seen: { type: string; amount: unknown }[] = [];
    receiver.onAny((event) => {
      const payload = event.payload as { data?: { object?: { amount_paid?: unknown } } };
      seen.push({ type: event.type, amount: payload.data?.object?.amount_paid });
    });
    const body = JSON.stringify({
      id: "evt_invoice_1",
      type: "invoice.paid",
      data: { object: { id: "in_1", amount_paid: 1200 } },
    });
    const answer = await receiver.handle({
      method: "POST",
      url: "http://127.0.0.1/webhooks",
      headers: await stripe.sign({ rawBody: body }),
      rawBody: body,
    });
    expect(answer.status).toBe(202);
    expect(queued).toHaveLength(1);
    return { receiver, job: queued[0]!, seen };
  }

  it("hole 4: a tampered queued type and payload never reach a handler", async () => {
    const { receiver, job, seen } = await queuedInvoice();
    const tampered: QueuedDelivery = {
      ...job,
      type: "invoice.refunded",
      payload: {
        id: "evt_invoice_1",
        type: "invoice.refunded",
        data: { object: { id: "in_1", amount_paid: 1e9 } },
      },
    };
    await receiver.dispatch(tampered, { verify: true }).catch(() => {});
    expect(seen.map((event) => event.type)).not.toContain("invoice.refunded");
    expect(seen.map((event) => event.amount)).not.toContain(1e9);
    for (const event of seen) expect(event).toEqual({ type: "invoice.paid", amount: 1200 });
  });
});
