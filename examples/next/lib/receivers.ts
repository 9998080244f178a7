import { createReceiver, schemes } from "@hookgate/core";
import { z } from "zod";

// Next.js loads these from .env (a demo value) or .env.local / the environment (yours).
const stripeSecret = process.env.STRIPE_WEBHOOK_SECRET;
const githubSecret = process.env.GITHUB_WEBHOOK_SECRET;
if (!stripeSecret || !githubSecret) throw new Error("Set STRIPE_WEBHOOK_SECRET and GITHUB_WEBHOOK_SECRET");

/** Stripe deliveries, for the App Router routes. The schemas validate payloads and type the handlers. */
export const stripe = createReceiver({
  scheme: schemes.stripe({ secret: stripeSecret }),
  events: {
    "invoice.paid": z.object({
      id: z.string(),
      data: z.object({ object: z.object({ id: z.string(), amount_paid: z.number() }) }),
    }),
  },
});

stripe.on("invoice.paid", (event) => {
  const invoice = event.payload.data.object; // typed: { id: string; amount_paid: number }
  console.log(`invoice ${invoice.id} paid: ${invoice.amount_paid}`);
});

/** GitHub deliveries, for the Pages Router API route. */
export const github = createReceiver<{
  "issues.opened": { action: "opened"; issue: { number: number; title: string } };
  ping: { zen: string };
}>({ scheme: schemes.github({ secret: githubSecret }) });

github.on("issues", (event) => {
  console.log(`issue #${event.payload.issue.number} ${event.payload.action}: ${event.payload.issue.title}`);
});
