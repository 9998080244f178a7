import { createHmac } from "node:crypto";
import { createReceiver, type IdempotencyStore, memoryStore, type Scheme, schemes } from "@hookgate/core";
import { afterEach, describe, expect, it } from "vitest";
import { type Attack, freshId, type Running, routes, serve } from "./support.js";

// Holes 3 and 6: what the idempotency key is made of. A sender holding one genuine delivery
// replays it under fresh unsigned ids, re-spelled signatures, or ids that pose as key parts.

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});

async function start(
  route: (typeof routes)[number],
  scheme: Scheme,
  extra: { store?: IdempotencyStore; namespace?: string } = {},
) {
  const receiver = createReceiver({ scheme, ...extra });
  let runs = 0;
  receiver.onAny(() => void runs++);
  const app = await serve(route, receiver, "/webhooks");
  running.push(app);
  return { app, runs: () => runs };
}

/** Sends the genuine delivery, then each replay; returns the statuses. */
async function replay(app: Running, genuine: Attack, replays: Attack[]): Promise<number[]> {
  const statuses = [(await app.send(genuine)).status];
  for (const attack of replays) statuses.push((await app.send(attack)).status);
  return statuses;
}

describe("hole 3: a captured delivery replayed under fresh unsigned ids runs its handlers once", () => {
  for (const route of routes) {
    it(`hole 3: GitHub under three fresh X-GitHub-Delivery ids (${route})`, async () => {
      const github = schemes.github({ secret: "gh_hostile_replay" });
      const { app, runs } = await start(route, github);
      const body = JSON.stringify({ action: "opened", pull_request: { number: 1 } });
      const headers = {
        ...(await github.sign({ rawBody: body, id: freshId(), type: "pull_request" })),
        "content-type": "application/json",
      };
      const fresh = () => ({
        path: "/webhooks",
        headers: { ...headers, "x-github-delivery": freshId() },
        body,
      });
      const statuses = await replay(app, { path: "/webhooks", headers, body }, [fresh(), fresh(), fresh()]);
      expect(runs()).toBe(1);
      expect(statuses).toEqual([200, 200, 200, 200]);
    });

    it(`hole 3: Shopify under fresh X-Shopify-Event-Id / Webhook-Id headers (${route})`, async () => {
      const shopify = schemes.shopify({ secret: "shpss_hostile_replay" });
      const { app, runs } = await start(route, shopify);
      const body = JSON.stringify({ id: 820982911946154500, email: "jon@example.com" });
      const headers = {
        ...(await shopify.sign({ rawBody: body, id: freshId(), type: "orders/create" })),
        "content-type": "application/json",
      };
      const fresh = () => {
        const out: Record<string, string> = { ...headers };
        for (const name of Object.keys(out)) if (/event-id|webhook-id/i.test(name)) out[name] = freshId();
        return { path: "/webhooks", headers: out, body };
      };
      await replay(app, { path: "/webhooks", headers, body }, [fresh(), fresh()]);
      expect(runs()).toBe(1);
    });

    it(`hole 3: Twilio under a fresh I-Twilio-Idempotency-Token (${route})`, async () => {
      const twilio = schemes.twilio({ secret: "twilio_hostile_replay" });
      const { app, runs } = await start(route, twilio);
      const form = "MessageSid=SM1&MessageStatus=delivered";
      const headers = {
        ...(await twilio.sign({
          rawBody: form,
          url: `${app.origin}/webhooks`,
          contentType: "application/x-www-form-urlencoded",
        })),
        "content-type": "application/x-www-form-urlencoded",
      };
      const fresh = () => ({
        path: "/webhooks",
        headers: { ...headers, "i-twilio-idempotency-token": freshId() },
        body: form,
      });
      await replay(app, { path: "/webhooks", headers, body: form }, [fresh(), fresh()]);
      expect(runs()).toBe(1);
    });
  }

  it("hole 3: the hmac fallback id survives upper-cased hex and a junk candidate before the real one", async () => {
    const secret = "hmac_hostile_replay";
    const hmac = schemes.hmac({ secret, header: "x-signature", prefix: "sha256=" });
    const { app, runs } = await start("handle", hmac);
    const body = JSON.stringify({ type: "thing.happened", n: 1 });
    const hex = createHmac("sha256", secret).update(body).digest("hex");
    const junk = "0".repeat(64);
    const as = (signature: string): Attack => ({
      path: "/webhooks",
      headers: { "x-signature": signature, "content-type": "application/json" },
      body,
    });
    const statuses = await replay(app, as(`sha256=${hex}`), [
      as(`sha256=${hex.toUpperCase()}`),
      as(`sha256=${junk}, sha256=${hex}`),
      as(`sha256=${junk.replace(/0$/, "1")}, sha256=${hex.toUpperCase()}`),
    ]);
    expect(runs()).toBe(1);
    expect(statuses).toEqual([200, 200, 200, 200]);
  });
});

describe("hole 6: store keys are escaped and bounded", () => {
  it("hole 6: a sender-chosen id never pre-claims another receiver's delivery in a shared store", async () => {
    const store = memoryStore();
    const github = schemes.github({ secret: "gh_hostile_keys" });
    const plain = await start("handle", github, { store });
    const namespaced = await start("handle", github, { store, namespace: "github" });
    const body = JSON.stringify({ action: "opened", issue: { number: 7 } });
    const id = freshId();
    const headers = {
      ...(await github.sign({ rawBody: body, id, type: "issues" })),
      "content-type": "application/json",
    };
    // The attacker replays the captured delivery to the receiver without a namespace, under an id
    // that spells the namespaced receiver's key...
    await plain.app.send({
      path: "/webhooks",
      headers: { ...headers, "x-github-delivery": `github:${id}` },
      body,
    });
    // ...and the genuine delivery to the namespaced receiver must still run.
    const answer = await namespaced.app.send({ path: "/webhooks", headers, body });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ status: "handled" });
    expect(namespaced.runs()).toBe(1);
  });

  it("hole 6: a 15 KB X-GitHub-Delivery never becomes a 15 KB store key", async () => {
    const inner = memoryStore();
    const keys: string[] = [];
    const store: IdempotencyStore = {
      claim: (key, options) => {
        keys.push(key);
        return inner.claim(key, options);
      },
      extend: (key, token, options) => inner.extend(key, token, options),
      complete: (key, token, options) => inner.complete(key, token, options),
      release: (key, token) => inner.release(key, token),
      bind: (key, value, options) => inner.bind(key, value, options),
    };
    const github = schemes.github({ secret: "gh_hostile_long" });
    const { app } = await start("handle", github, { store });
    const body = JSON.stringify({ action: "opened", issue: { number: 8 } });
    const headers = {
      ...(await github.sign({ rawBody: body, id: freshId(), type: "issues" })),
      "content-type": "application/json",
      "x-github-delivery": "d".repeat(15 * 1024),
    };
    const answer = await app.send({ path: "/webhooks", headers, body });
    expect(answer.status).toBeLessThan(500);
    for (const key of keys) expect(key.length).toBeLessThanOrEqual(512);
  });
});
