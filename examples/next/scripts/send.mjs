// Signs deliveries exactly as Stripe and GitHub would and posts them to the running app:
// each twice (handled, then acknowledged as a duplicate), then once to the misconfigured Pages route.
import { randomUUID } from "node:crypto";
import { schemes } from "@hookgate/core";

const origin = process.argv[2] ?? `http://localhost:${process.env.PORT ?? 3000}`;

async function post(path, headers, body) {
  const response = await fetch(origin + path, { method: "POST", headers, body });
  console.log(path, response.status, await response.text());
}

const invoice = JSON.stringify({
  id: `evt_${Date.now()}`,
  type: "invoice.paid",
  data: { object: { id: "in_1", amount_paid: 4200 } },
});
const stripe = await schemes.stripe({ secret: process.env.STRIPE_WEBHOOK_SECRET }).sign({ rawBody: invoice });
for (const path of ["/api/webhooks/stripe", "/api/webhooks/stripe", "/api/webhooks/stripe-edge"]) {
  await post(path, stripe, invoice);
}

const issue = JSON.stringify({ action: "opened", issue: { number: 7, title: "Hello from hookgate" } });
const github = await schemes
  .github({ secret: process.env.GITHUB_WEBHOOK_SECRET })
  .sign({ rawBody: issue, type: "issues", id: randomUUID() });
await post("/api/webhooks/github", github, issue);
await post("/api/webhooks/github", github, issue);
await post("/api/webhooks/github-misconfigured", github, issue);
