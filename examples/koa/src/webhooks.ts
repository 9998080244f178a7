import { createReceiver, schemes } from "@hookgate/core";

/** The GitHub webhook secret: from .env here, from your secret store in production. */
export const secret = process.env.GITHUB_WEBHOOK_SECRET ?? "";

/** The payloads this app handles, by event type (`<X-GitHub-Event>.<action>`). */
interface GithubEvents {
  "issues.opened": { action: "opened"; issue: { number: number; title: string }; sender: { login: string } };
  "issues.closed": { action: "closed"; issue: { number: number; title: string }; sender: { login: string } };
  push: { ref: string; commits: Array<{ id: string; message: string }> };
  ping: { zen: string };
}

/** Verifies GitHub deliveries, drops duplicates (by X-GitHub-Delivery) and runs the typed handlers below. */
export const receiver = createReceiver<GithubEvents>({ scheme: schemes.github({ secret }) });

// "issues" receives issues.opened and issues.closed; the payload type follows `event.type`.
receiver.on("issues", (event) => {
  const { issue, sender } = event.payload;
  console.log(`✓ ${event.type}: #${issue.number} "${issue.title}" by ${sender.login}`);
});

receiver.on("push", (event) => {
  console.log(`✓ push to ${event.payload.ref}: ${event.payload.commits.length} commit(s)`);
});
