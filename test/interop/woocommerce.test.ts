/**
 * hookgate ↔ WooCommerce. WooCommerce ships no signing SDK: the sender here is its documented
 * algorithm (`WC_Webhook::generate_signature`: base64 of HMAC-SHA256 over the JSON body, keyed by
 * the webhook's secret) and its delivery headers, computed with node:crypto; and the ping it
 * sends when a webhook is saved (`WC_Webhook::deliver_ping`: an unsigned `webhook_id=<n>` POST).
 */
import { createHmac } from "node:crypto";
import { createReceiver, schemes, verify } from "@hookgate/core";
import { fixtures, signedRequest } from "@hookgate/testing";
import { expect, it } from "vitest";
import {
  describeEachCryptoBackend,
  expectCryptoBackend,
  expectRejected,
  randomSecret,
  tamper,
} from "./helpers.js";

const url = "https://hooks.example.com/woocommerce";

/** A delivery as `WC_Webhook::deliver` sends it. */
function wooDelivery(secret: string, body: string, topic = "order.created") {
  const [resource, event] = topic.split(".");
  return {
    method: "POST",
    url,
    headers: {
      "content-type": "application/json",
      "user-agent": "WooCommerce/9.9.0 Hookshot (WordPress/6.8)",
      "x-wc-webhook-source": "https://shop.example.com/",
      "x-wc-webhook-topic": topic,
      "x-wc-webhook-resource": resource!,
      "x-wc-webhook-event": event!,
      "x-wc-webhook-signature": createHmac("sha256", secret).update(body).digest("base64"),
      "x-wc-webhook-id": "42",
      "x-wc-webhook-delivery-id": "6d8d1a1bc3a2b5b4b7e7d8f44f1a9b33",
    },
    rawBody: body,
  };
}

describeEachCryptoBackend("WooCommerce ↔ hookgate", (backend) => {
  const secret = randomSecret();
  const scheme = schemes.woocommerce({ secret });
  const body = JSON.stringify(fixtures.woocommerce.orderCreated());

  it(`runs hookgate on ${backend}`, async () => {
    await expectCryptoBackend(backend, () => scheme.sign({ rawBody: body, type: "order.created" }));
  });

  it("verifies a delivery signed the way WooCommerce signs it, typed by its topic", async () => {
    await expect(verify(scheme, wooDelivery(secret, body))).resolves.toMatchObject({
      id: "6d8d1a1bc3a2b5b4b7e7d8f44f1a9b33",
      type: "order.created",
      scheme: "woocommerce",
      payload: JSON.parse(body),
    });
  });

  it("signs what WooCommerce signs: the same base64 HMAC of the body", async () => {
    const headers = await scheme.sign({ rawBody: body, type: "order.created", id: "d-1" });
    expect(headers["x-wc-webhook-signature"]).toBe(
      createHmac("sha256", secret).update(body).digest("base64"),
    );
    expect(headers).toMatchObject({
      "x-wc-webhook-topic": "order.created",
      "x-wc-webhook-delivery-id": "d-1",
    });
  });

  it("refuses a changed body, another secret, and a delivery without its signature", async () => {
    await expectRejected(
      verify(scheme, { ...wooDelivery(secret, body), rawBody: tamper(body) }),
      "signature_mismatch",
    );
    await expectRejected(verify(scheme, wooDelivery(randomSecret(), body)), "signature_mismatch");
    const { "x-wc-webhook-signature": _, ...unsigned } = wooDelivery(secret, body).headers;
    await expectRejected(
      verify(scheme, { ...wooDelivery(secret, body), headers: unsigned }),
      "missing_signature",
    );
  });
});

it("answers WooCommerce's unsigned save-time ping 200 without running a handler", async () => {
  const receiver = createReceiver({ scheme: schemes.woocommerce({ secret: randomSecret() }) });
  const seen: unknown[] = [];
  receiver.onAny((event) => {
    seen.push(event);
  });
  const ping = (body: string, headers: Record<string, string> = {}) =>
    receiver.fetch(
      new Request(url, {
        method: "POST",
        body,
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      }),
    );
  expect((await ping("webhook_id=42")).status).toBe(200);
  expect(seen).toEqual([]);
  // Anything else unsigned is verified as a delivery, and refused (a form is no delivery: 415).
  expect((await ping("webhook_id=42&topic=order.created")).status).toBe(415);
  expect((await ping('{"id":1}', { "content-type": "application/json" })).status).toBe(400);
  // A ping-shaped body with a (forged) signature is not a ping: it must verify.
  expect((await ping("webhook_id=42", { "x-wc-webhook-signature": "AAAA" })).status).toBe(415);
  expect(seen).toEqual([]);
});

it("a receiver handles a signed fixture once per delivery id", async () => {
  const scheme = schemes.woocommerce({ secret: randomSecret() });
  const receiver = createReceiver({ scheme });
  const seen: string[] = [];
  receiver.on("order.created", (event) => {
    seen.push(event.id);
  });
  const payload = fixtures.woocommerce.orderCreated();
  const first = await receiver.fetch(await signedRequest(scheme, url, payload, { id: "wc-d-1" }));
  const again = await receiver.fetch(await signedRequest(scheme, url, payload, { id: "wc-d-1" }));
  expect([first.status, again.status]).toEqual([200, 200]);
  expect(seen).toEqual(["wc-d-1"]);
});
