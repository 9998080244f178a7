import { schemes } from "@hookgate/core";

// Signs a delivery exactly as Stripe would and posts it three times at once, as a sender's
// retries racing each other would: one 202, the others a duplicate (200) or in flight (409).
const url = process.argv[2] ?? `http://localhost:${process.env.PORT ?? 3000}/webhooks/stripe`;
const body = JSON.stringify({
  id: `evt_${Date.now()}`,
  object: "event",
  type: "invoice.paid",
  data: { object: { id: "in_1", customer: "cus_1", amount_paid: 4200, currency: "eur" } },
});
const headers = await schemes
  .stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET ?? "" })
  .sign({ rawBody: body });
const answers = await Promise.all(
  [1, 2, 3].map(async () => {
    const response = await fetch(url, { method: "POST", headers, body });
    return `${response.status} ${await response.text()}`;
  }),
);
for (const answer of answers) console.log(answer);
process.exit(0);
