import { createReceiver, type IdempotencyStore, type Queue, schemes } from "@hookgate/core";
import { z } from "zod";

/** The Stripe signing secret: from .env here, from your secret store in production. */
export const secret = process.env.STRIPE_WEBHOOK_SECRET ?? "";

const Invoice = z.object({
  id: z.string(),
  customer: z.string(),
  amount_paid: z.number(),
  currency: z.string(),
});

/**
 * The one receiver definition both processes use: the web process passes a `queue` (verify,
 * claim, enqueue, answer 202); the worker passes none and runs the handlers below for each
 * queued delivery. Same scheme, same store: that is what makes "once" hold across them.
 */
export function webhookReceiver(store: IdempotencyStore, queue?: Queue) {
  const receiver = createReceiver({
    scheme: schemes.stripe({ secret }),
    store,
    ...(queue ? { queue } : {}),
    events: {
      "invoice.paid": z.object({ id: z.string(), data: z.object({ object: Invoice }) }),
    },
  });

  receiver.on("invoice.paid", async (event) => {
    const invoice = event.payload.data.object;
    console.log(
      `✓ [worker ${process.pid}] ${event.type} ${invoice.id}: ${invoice.amount_paid / 100} ${invoice.currency.toUpperCase()} (${event.id})`,
    );
  });
  return receiver;
}
