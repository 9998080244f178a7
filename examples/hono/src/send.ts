import { randomUUID } from "node:crypto";
import { schemes } from "@hookgate/core";
import { secret } from "./webhooks.js";

// Signs a delivery exactly as a Standard Webhooks sender would and posts it twice: handled, then a duplicate.
const url = process.argv[2] ?? `http://localhost:${process.env.PORT ?? 3000}/webhooks`;
const body = JSON.stringify({
  type: "user.created",
  timestamp: new Date().toISOString(),
  data: { id: "user_1", email: "ada@example.com" },
});
const headers = await schemes.standardWebhooks({ secret }).sign({ rawBody: body, id: `msg_${randomUUID()}` });
for (let i = 0; i < 2; i++) {
  const response = await fetch(url, { method: "POST", headers, body });
  console.log(response.status, await response.text());
}
const expired = await schemes
  .standardWebhooks({ secret })
  .sign({ rawBody: body, timestamp: new Date(Date.now() - 3_600_000) });
const late = await fetch(url, { method: "POST", headers: expired, body });
console.log(late.status, await late.text());
