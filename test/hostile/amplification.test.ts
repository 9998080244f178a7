import { createHmac, randomBytes } from "node:crypto";
import { createReceiver, type Scheme, schemes } from "@hookgate/core";
import { afterEach, describe, expect, it } from "vitest";
import { codeOf, type Running, routes, serve, standardWebhooksEd25519 } from "./support.js";

// Hole 5: one unauthenticated request must not buy many signature checks.

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});

const ed25519 = standardWebhooksEd25519();

describe("hole 5: signature candidates per request are capped (400 too_many_signatures)", () => {
  for (const route of routes) {
    it(`hole 5: 170 Standard Webhooks v1a candidates over a 512 KiB body are refused unchecked (${route})`, async () => {
      const scheme = schemes.standardWebhooks({ secret: ed25519.verifying });
      const receiver = createReceiver({ scheme });
      let runs = 0;
      receiver.onAny(() => void runs++);
      const app = await serve(route, receiver);
      running.push(app);
      const body = JSON.stringify({ type: "x", pad: "a".repeat(512 * 1024) });
      const junk = Array.from({ length: 170 }, () => `v1a,${randomBytes(64).toString("base64")}`).join(" ");
      const answer = await app.send({
        path: "/webhooks",
        headers: {
          "webhook-id": "msg_1",
          "webhook-timestamp": String(Math.floor(Date.now() / 1000)),
          "webhook-signature": junk,
          "content-type": "application/json",
        },
        body,
      });
      expect(answer.status, answer.body).toBe(400);
      expect(codeOf(answer)).toBe("too_many_signatures");
      expect(runs).toBe(0);
    });
  }

  // Every scheme: 11 well-formed candidates, the genuine one last, is still refused.
  const now = () => Math.floor(Date.now() / 1000);
  const cases: {
    name: string;
    scheme: Scheme;
    headers: (body: string, sig: (s: string) => string[]) => Record<string, string>;
  }[] = [
    {
      name: "stripe",
      scheme: schemes.stripe({ secret: "whsec_amp" }),
      headers: (body) => {
        const t = now();
        const real = createHmac("sha256", "whsec_amp").update(`${t}.${body}`).digest("hex");
        const junk = Array.from({ length: 10 }, () => `v1=${randomBytes(32).toString("hex")}`);
        return { "stripe-signature": [`t=${t}`, ...junk, `v1=${real}`].join(",") };
      },
    },
    {
      name: "github (comma-joined repeated header)",
      scheme: schemes.github({ secret: "gh_amp" }),
      headers: (body) => {
        const real = createHmac("sha256", "gh_amp").update(body).digest("hex");
        const junk = Array.from({ length: 10 }, () => `sha256=${randomBytes(32).toString("hex")}`);
        return {
          "x-hub-signature-256": [...junk, `sha256=${real}`].join(", "),
          "x-github-event": "ping",
          "x-github-delivery": "d1",
        };
      },
    },
    {
      name: "shopify",
      scheme: schemes.shopify({ secret: "shp_amp" }),
      headers: (body) => {
        const real = createHmac("sha256", "shp_amp").update(body).digest("base64");
        const junk = Array.from({ length: 10 }, () => randomBytes(32).toString("base64"));
        return { "x-shopify-hmac-sha256": [...junk, real].join(", "), "x-shopify-topic": "orders/create" };
      },
    },
  ];
  for (const { name, scheme, headers } of cases) {
    it(`hole 5: 11 candidates for ${name} are refused with 400 too_many_signatures`, async () => {
      const receiver = createReceiver({ scheme });
      const body = JSON.stringify({ id: "evt_amp", type: "thing" });
      const answer = await receiver.handle({
        method: "POST",
        url: "http://127.0.0.1/webhooks",
        headers: { ...headers(body, () => []), "content-type": "application/json" },
        rawBody: body,
      });
      expect(answer.status, answer.body).toBe(400);
      expect(codeOf({ status: answer.status, headers: answer.headers, body: answer.body })).toBe(
        "too_many_signatures",
      );
    });
  }
});
