import { schemes } from "@hookgate/core";
import { secret } from "./webhooks.js";

// Signs a delivery exactly as Stripe would and posts it twice: handled, then acknowledged as a duplicate.
const url = process.argv[2] ?? `http://localhost:${process.env.PORT ?? 3000}/webhooks/stripe`;
const body = JSON.stringify(
  {
    id: `evt_${Date.now()}`,
    object: "event",
    type: "invoice.paid",
    data: { object: { id: "in_1", customer: "cus_1", amount_paid: 4200, currency: "eur" } },
  },
  null,
  2,
);
const headers = await schemes.stripe({ secret }).sign({ rawBody: body });
for (let i = 0; i < 2; i++) {
  const response = await fetch(url, { method: "POST", headers, body });
  console.log(response.status, await response.text());
}
const tampered = await fetch(url, { method: "POST", headers, body: body.replace("4200", "1") });
console.log(tampered.status, await tampered.text());
