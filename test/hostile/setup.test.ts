import { createHmac } from "node:crypto";
import { createReceiver, type IdempotencyStore, memoryStore, schemes } from "@hookgate/core";
import { describe, expect, it } from "vitest";

// Holes 10 and 11: a receiver set up with an imperfect store or a truncated secret.

describe("hole 10: handle() never throws, whatever a custom store's release() returns", () => {
  it("hole 10: a release() that returns nothing still answers 500 for a failed handler and frees the key", async () => {
    const inner = memoryStore();
    const store = {
      claim: (key, options) => inner.claim(key, options),
      extend: (key, token, options) => inner.extend(key, token, options),
      complete: (key, token, options) => inner.complete(key, token, options),
      // A synchronous release, as a hand-written store might have it.
      release(key: string, token: string) {
        void inner.release(key, token);
      },
      bind: (key, value, options) => inner.bind(key, value, options),
    } as IdempotencyStore;
    const stripe = schemes.stripe({ secret: "whsec_hostile_release" });
    const receiver = createReceiver({ scheme: stripe, store });
    let attempts = 0;
    receiver.on("invoice.paid", async () => {
      attempts++;
      if (attempts === 1) throw new Error("database down");
    });
    const body = JSON.stringify({ id: "evt_release", type: "invoice.paid", data: {} });
    const request = async () =>
      receiver.handle({
        method: "POST",
        url: "http://127.0.0.1/webhooks",
        headers: await stripe.sign({ rawBody: body }),
        rawBody: body,
      });
    const first = await request();
    expect(first.status).toBe(500);
    // The key was released: the sender's retry is handled.
    const retry = await request();
    expect(retry.status).toBe(200);
    expect(attempts).toBe(2);
  });
});

describe("hole 11: a bare whsec_ is refused as a Stripe secret", () => {
  const forge = (body: string) => {
    const t = Math.floor(Date.now() / 1000);
    const v1 = createHmac("sha256", "whsec_").update(`${t}.${body}`).digest("hex");
    return { "stripe-signature": `t=${t},v1=${v1}`, "content-type": "application/json" };
  };
  const body = JSON.stringify({ id: "evt_forged", type: "charge.succeeded", data: {} });

  it("hole 11: schemes.stripe({ secret: 'whsec_' }) fails at creation, or accepts nothing signed with it", async () => {
    let receiver: ReturnType<typeof createReceiver> | undefined;
    try {
      receiver = createReceiver({ scheme: schemes.stripe({ secret: "whsec_" }) });
    } catch (error) {
      expect((error as { code?: string }).code).toBe("invalid_secret");
      return;
    }
    const answer = await receiver.handle({
      method: "POST",
      url: "http://127.0.0.1/",
      headers: forge(body),
      rawBody: body,
    });
    expect(answer.status).toBeGreaterThanOrEqual(400);
  });

  it("hole 11: a bare whsec_ hidden in a rotation list or an { id, value } entry is refused too", async () => {
    for (const secret of [["whsec_real_secret", "whsec_"], [{ id: "old", value: "whsec_" }]] as const) {
      let receiver: ReturnType<typeof createReceiver> | undefined;
      try {
        receiver = createReceiver({ scheme: schemes.stripe({ secret }) });
      } catch (error) {
        expect((error as { code?: string }).code).toBe("invalid_secret");
        continue;
      }
      let runs = 0;
      receiver.onAny(() => void runs++);
      const answer = await receiver.handle({
        method: "POST",
        url: "http://127.0.0.1/",
        headers: forge(body),
        rawBody: body,
      });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(runs).toBe(0);
    }
  });
});
