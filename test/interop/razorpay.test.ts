/**
 * hookgate ↔ Razorpay's own Node SDK (`razorpay`, a devDependency of test/ only): the SDK's
 * `validateWebhookSignature` accepts what hookgate signs, and hookgate accepts what a sender
 * signing the documented way (HMAC-SHA256 of the raw body, hex) produces — checked by the SDK too.
 */
import { createHmac } from "node:crypto";
import { createReceiver, schemes, verify } from "@hookgate/core";
import { fixtures, signedRequest } from "@hookgate/testing";
import Razorpay from "razorpay";
import { expect, it } from "vitest";
import {
  describeEachCryptoBackend,
  expectCryptoBackend,
  expectRejected,
  header,
  randomSecret,
  tamper,
} from "./helpers.js";

describeEachCryptoBackend("Razorpay SDK ↔ hookgate", (backend) => {
  const secret = randomSecret();
  const scheme = schemes.razorpay({ secret });
  const body = JSON.stringify(fixtures.razorpay.paymentCaptured());

  it(`runs hookgate on ${backend}`, async () => {
    await expectCryptoBackend(backend, () => scheme.sign({ rawBody: body }));
  });

  it("the SDK verifies what hookgate signs, and only with the right secret and body", async () => {
    const signature = header(await scheme.sign({ rawBody: body }), "x-razorpay-signature");
    expect(Razorpay.validateWebhookSignature(body, signature, secret)).toBe(true);
    expect(Razorpay.validateWebhookSignature(body, signature, randomSecret())).toBe(false);
    expect(Razorpay.validateWebhookSignature(tamper(body), signature, secret)).toBe(false);
  });

  it("hookgate verifies a delivery signed the documented way, with its event id and type", async () => {
    const signature = createHmac("sha256", secret).update(body).digest("hex");
    expect(Razorpay.validateWebhookSignature(body, signature, secret)).toBe(true);
    const headers = { "x-razorpay-signature": signature, "x-razorpay-event-id": "JCjtBlOxCgJHDc" };
    await expect(verify(scheme, { headers, rawBody: body })).resolves.toMatchObject({
      id: "JCjtBlOxCgJHDc",
      type: "payment.captured",
      scheme: "razorpay",
    });
    await expectRejected(verify(scheme, { headers, rawBody: tamper(body) }), "signature_mismatch");
    await expectRejected(
      verify(schemes.razorpay({ secret: randomSecret() }), { headers, rawBody: body }),
      "signature_mismatch",
    );
    await expectRejected(
      verify(scheme, { headers: { "x-razorpay-event-id": "JCjtBlOxCgJHDc" }, rawBody: body }),
      "missing_signature",
    );
  });

  it("a receiver handles a signed fixture once, and answers a retry with the same event id as a duplicate", async () => {
    const receiver = createReceiver({ scheme });
    const seen: string[] = [];
    receiver.on("payment.captured", (event) => {
      seen.push(event.id);
    });
    const url = "https://hooks.example.com/razorpay";
    const payload = fixtures.razorpay.paymentCaptured();
    const first = await receiver.fetch(await signedRequest(scheme, url, payload, { id: "evt_1" }));
    const retry = await receiver.fetch(await signedRequest(scheme, url, payload, { id: "evt_1" }));
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(seen).toEqual(["evt_1"]);
  });
});
