import { schemes } from "@hookgate/core";
import { secret } from "./webhooks.js";

// Signs a delivery exactly as Stripe would and posts three copies at once, as a retrying sender
// might: one is queued (202), the others find it in flight (409, retry later) or done (200).
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
const answers = await Promise.all(
  [1, 2, 3].map(async () => {
    const response = await fetch(url, { method: "POST", headers, body });
    return `${response.status} ${await response.text()}`;
  }),
);
for (const answer of answers) console.log(answer);
const again = await fetch(url, { method: "POST", headers, body });
console.log(again.status, await again.text());
