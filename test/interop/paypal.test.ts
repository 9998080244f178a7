/**
 * hookgate ↔ PayPal. PayPal's SDKs verify by calling its verify-webhook-signature API or by fetching
 * the certificate from the live host, neither reachable here: the sender and checker here are its
 * documented algorithm (https://developer.paypal.com/api/rest/webhooks/rest/: RSA-SHA256 —
 * `SHA256withRSA` — over `<transmission id>|<transmission time>|<webhook id>|<CRC-32 of the body,
 * decimal>`, the certificate at `PAYPAL-CERT-URL`) computed with node:crypto and node:zlib, with a
 * test certificate served for a PayPal certificate URL.
 */
import { createSign, createVerify, X509Certificate } from "node:crypto";
import { crc32 } from "node:zlib";
import { createReceiver, schemes, verify } from "@hookgate/core";
import { fixtures, signedRequest, snsSigningKey } from "@hookgate/testing";
import { expect, it } from "vitest";
import { describeEachCryptoBackend, expectCryptoBackend, expectRejected, tamper } from "./helpers.js";

const WEBHOOK_ID = "8PT597110X687430LKGECATA";
const CERT_URL = "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-360caa42-fca2a594-a5cafa77";
const key = await snsSigningKey();
const other = await snsSigningKey();

/** The string PayPal signs, as its docs give it. */
const signedString = (transmissionId: string, time: string, webhookId: string, body: string) =>
  `${transmissionId}|${time}|${webhookId}|${crc32(Buffer.from(body))}`;

/** A delivery as PayPal sends it, signed with node:crypto. */
function paypalDelivery(
  body: string,
  options: { privateKey?: string; webhookId?: string; time?: Date } = {},
) {
  const transmissionId = globalThis.crypto.randomUUID();
  const time = (options.time ?? new Date()).toISOString().replace(/\.\d+Z$/, "Z");
  const signer = createSign("RSA-SHA256");
  signer.update(signedString(transmissionId, time, options.webhookId ?? WEBHOOK_ID, body));
  return {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "paypal-auth-algo": "SHA256withRSA",
      "paypal-cert-url": CERT_URL,
      "paypal-transmission-id": transmissionId,
      "paypal-transmission-sig": signer.sign(options.privateKey ?? key.privateKey, "base64"),
      "paypal-transmission-time": time,
    },
    rawBody: body,
  };
}

function setup() {
  const fetched: string[] = [];
  const scheme = schemes.paypal({
    webhookId: WEBHOOK_ID,
    fetchCertificate: async (url) => {
      fetched.push(url);
      return key.certificate;
    },
    signingKey: { privateKey: key.privateKey, certificateUrl: CERT_URL },
  });
  return { scheme, fetched };
}

describeEachCryptoBackend("PayPal ↔ hookgate", (backend) => {
  const body = JSON.stringify(fixtures.paypal.captureCompleted());

  it(`runs hookgate on ${backend}`, async () => {
    const { scheme } = setup();
    await expectCryptoBackend(backend, () => verify(scheme, paypalDelivery(body)));
  });

  it("verifies a delivery signed the way PayPal signs it, fetching the certificate once", async () => {
    const { scheme, fetched } = setup();
    const delivery = paypalDelivery(body);
    await expect(verify(scheme, delivery)).resolves.toMatchObject({
      id: delivery.headers["paypal-transmission-id"],
      type: "PAYMENT.CAPTURE.COMPLETED",
      scheme: "paypal",
      payload: JSON.parse(body),
    });
    await verify(scheme, paypalDelivery(body));
    expect(fetched).toEqual([CERT_URL]);
  });

  it("signs what PayPal signs: the certificate's key verifies the documented string", async () => {
    const { scheme } = setup();
    const headers = await scheme.sign({
      rawBody: body,
      id: "tx-1",
      timestamp: new Date("2026-01-02T03:04:05Z"),
    });
    expect(headers).toMatchObject({
      "paypal-transmission-id": "tx-1",
      "paypal-auth-algo": "SHA256withRSA",
      "paypal-cert-url": CERT_URL,
    });
    const checker = createVerify("RSA-SHA256");
    checker.update(signedString("tx-1", headers["paypal-transmission-time"]!, WEBHOOK_ID, body));
    const publicKey = new X509Certificate(key.certificate).publicKey;
    expect(checker.verify(publicKey, headers["paypal-transmission-sig"]!, "base64")).toBe(true);
  });

  it("refuses a changed body, another key, another webhook id and a stale transmission", async () => {
    const { scheme } = setup();
    await expectRejected(
      verify(scheme, { ...paypalDelivery(body), rawBody: tamper(body) }),
      "signature_mismatch",
    );
    await expectRejected(
      verify(scheme, paypalDelivery(body, { privateKey: other.privateKey })),
      "signature_mismatch",
    );
    await expectRejected(
      verify(scheme, paypalDelivery(body, { webhookId: "OTHER0WEBHOOK" })),
      "signature_mismatch",
    );
    const stale = paypalDelivery(body, { time: new Date(Date.now() - 3_600_000) });
    await expectRejected(verify(scheme, stale), "timestamp_too_old");
    const { "paypal-transmission-sig": _, ...unsigned } = paypalDelivery(body).headers;
    await expectRejected(verify(scheme, { rawBody: body, headers: unsigned }), "missing_signature");
  });

  it("fetches certificates only from PayPal's hosts over https, on its certificate path", async () => {
    const { scheme, fetched } = setup();
    for (const url of [
      "http://api.sandbox.paypal.com/v1/notifications/certs/CERT-1",
      "https://api.paypal.com.evil.example/v1/notifications/certs/CERT-1",
      "https://evil.example/v1/notifications/certs/CERT-1",
      "https://api.paypal.com:8443/v1/notifications/certs/CERT-1",
      "https://api.paypal.com/v1/notifications/certs/CERT-1?x=1",
      "https://api.paypal.com/v1/other/CERT-1",
    ]) {
      const delivery = paypalDelivery(body);
      delivery.headers["paypal-cert-url"] = url;
      await expectRejected(verify(scheme, delivery), "signature_mismatch");
    }
    expect(fetched).toEqual([]);
  });

  it("a receiver handles a fixture signed by the scheme once, and a replayed transmission is a duplicate", async () => {
    const { scheme } = setup();
    const receiver = createReceiver({ scheme });
    const seen: string[] = [];
    receiver.on("PAYMENT.CAPTURE.COMPLETED", (event) => {
      seen.push(event.type);
    });
    const request = await signedRequest(
      scheme,
      "https://hooks.example.com/paypal",
      fixtures.paypal.captureCompleted(),
    );
    const replay = request.clone();
    expect((await receiver.fetch(request)).status).toBe(200);
    expect((await receiver.fetch(replay)).status).toBe(200);
    expect(seen).toEqual(["PAYMENT.CAPTURE.COMPLETED"]);
  });
});
