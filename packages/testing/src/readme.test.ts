// The examples of packages/testing/README.md (and the root README), kept runnable.
import { createReceiver, schemes } from "@hookgate/core";
import { expect, it } from "vitest";
import { fixtures, type StripeInvoicePaidEvent, signedFixture, snsSigningKey, testHandler } from "./index.js";

it("handles a paid invoice once", async () => {
  const scheme = schemes.stripe({ secret: "whsec_test" });
  const receiver = createReceiver<{ "invoice.paid": StripeInvoicePaidEvent }>({ scheme });
  const paid: string[] = [];
  receiver.on("invoice.paid", (event) => void paid.push(event.payload.data.object.id));
  const delivery = await signedFixture(scheme, fixtures.stripe.invoicePaid());
  expect(await testHandler(receiver, delivery)).toMatchObject({ outcome: "handled", status: 200 });
  expect(await testHandler(receiver, delivery)).toMatchObject({ outcome: "duplicate" });
  expect(paid).toHaveLength(1);
});

it("rejects what an attacker or a slow queue would send", async () => {
  const scheme = schemes.stripe({ secret: "whsec_test" });
  const receiver = createReceiver({ scheme });
  const invoice = fixtures.stripe.invoicePaid();
  const tampered = await signedFixture(scheme, invoice, { tamper: "body" });
  const stale = await signedFixture(scheme, invoice, { timestamp: new Date(Date.now() - 10 * 60_000) });
  const forged = await signedFixture(scheme, invoice, { secret: "whsec_guess" });
  expect(await testHandler(receiver, tampered)).toMatchObject({
    outcome: "rejected",
    code: "signature_mismatch",
  });
  expect(await testHandler(receiver, stale)).toMatchObject({
    outcome: "rejected",
    code: "timestamp_too_old",
  });
  expect(await testHandler(receiver, forged)).toMatchObject({ outcome: "rejected", status: 401 });
});

it("signs an SNS Notification with a test key (root README, Signing test deliveries)", async () => {
  const key = await snsSigningKey();
  const scheme = schemes.awsSns({
    topicArn: "arn:aws:sns:us-east-1:123456789012:orders",
    fetchCertificate: async () => key.certificate,
    signingKey: key,
  });
  const { headers, rawBody } = await scheme.signRequest({ rawBody: JSON.stringify({ orderId: 42 }) });
  const receiver = createReceiver({ scheme });
  const types: string[] = [];
  receiver.onAny((event) => void types.push(event.type));
  expect(await receiver.handle({ method: "POST", headers, rawBody })).toMatchObject({ status: 200 });
  expect(types).toEqual(["Notification"]);
  // packages/testing/README.md
  const delivery = await signedFixture(scheme, fixtures.awsSns.sesDelivery());
  expect(await testHandler(createReceiver({ scheme }), delivery)).toMatchObject({ status: 200 });
});
