import { randomUUID } from "node:crypto";
import { schemes } from "@hookgate/core";
import { secret } from "./webhooks.js";

// Signs a delivery exactly as GitHub would and posts it twice: handled, then acknowledged as a duplicate.
const url = process.argv[2] ?? `http://localhost:${process.env.PORT ?? 3000}/webhooks/github`;
const body = JSON.stringify({
  action: "opened",
  issue: { number: 42, title: "Webhooks verified byte for byte ✓" },
  sender: { login: "octocat" },
});
const headers = await schemes.github({ secret }).sign({ rawBody: body, type: "issues", id: randomUUID() });
for (let i = 0; i < 2; i++) {
  const response = await fetch(url, { method: "POST", headers, body });
  console.log(response.status, await response.text());
}
const unsigned = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
console.log(unsigned.status, await unsigned.text());
