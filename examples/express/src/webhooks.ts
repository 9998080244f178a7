import { createReceiver, schemes } from "@hookgate/core";
import { z } from "zod";

/** The Stripe signing secret: from .env here, from your secret store in production. */
export const secret = process.env.STRIPE_WEBHOOK_SECRET ?? "";

const Invoice = z.object({
  id: z.string(),
  customer: z.string(),
  amount_paid: z.number(),
  currency: z.string(),
});

/** Verifies Stripe deliveries, drops duplicates and runs the typed handlers below. */
export const receiver = createReceiver({
  scheme: schemes.stripe({ secret }),
  events: {
    "invoice.paid": z.object({ id: z.string(), data: z.object({ object: Invoice }) }),
    "invoice.payment_failed": z.object({ id: z.string(), data: z.object({ object: Invoice }) }),
  },
});

// `event.payload` is typed from the schemas, and validated: a payload that does not match gets a 422.
receiver.on("invoice.paid", async (event) => {
  const invoice = event.payload.data.object;
  console.log(
    `✓ ${event.type} ${invoice.id}: ${invoice.amount_paid / 100} ${invoice.currency.toUpperCase()}`,
  );
});

// A handler for "invoice" receives every invoice.* event; its `event.type` says which.
receiver.on("invoice", (event) => {
  console.log(`  (${event.id}, ${event.type}, customer ${event.payload.data.object.customer})`);
});
