/**
 * SendGrid's Event Webhook signs with ECDSA P-256. `@sendgrid/eventwebhook` verifies through
 * starkbank-ecdsa; starkbank-ecdsa (its dependency) also signs, as SendGrid does.
 */
import { createRequire } from "node:module";
import { schemes, verify } from "@hookgate/core";
import { EventWebhook } from "@sendgrid/eventwebhook";
import { expect, it } from "vitest";
import { generateEcdsaP256 } from "../../packages/core/src/internal/crypto.js";
import { describeEachCryptoBackend, expectCryptoBackend, expectRejected, header, tamper } from "./helpers.js";

interface StarkbankKey {
  toPem(): string;
  publicKey(): StarkbankKey;
}
// starkbank-ecdsa is @sendgrid/eventwebhook's own dependency: load it from there.
const fromSendgrid = createRequire(createRequire(import.meta.url).resolve("@sendgrid/eventwebhook"));
const prime256v1 = (fromSendgrid("starkbank-ecdsa/ellipticcurve/curve.js") as { prime256v1: object })
  .prime256v1;
const ecdsa = fromSendgrid("starkbank-ecdsa") as {
  PrivateKey: new (curve: object) => StarkbankKey;
  Ecdsa: { sign(message: string, key: StarkbankKey): { toBase64(): string } };
};

const events = [
  {
    email: "ada@example.com",
    timestamp: 1_750_000_000,
    event: "processed",
    sg_event_id: "c2VuZGdyaWQtMQ",
    sg_message_id: "m1.filter0001",
  },
  {
    email: "ada@example.com",
    timestamp: 1_750_000_005,
    event: "delivered",
    sg_event_id: "c2VuZGdyaWQtMg",
    sg_message_id: "m1.filter0001",
    response: "250 OK",
  },
];
const body = `${JSON.stringify(events)}\r\n`;
const sendgridWebhook = new EventWebhook();

describeEachCryptoBackend("SendGrid ↔ hookgate", (backend) => {
  it(`runs hookgate on ${backend}`, async () => {
    const keys = await generateEcdsaP256();
    await expectCryptoBackend(backend, () =>
      schemes.sendgrid({ privateKey: keys.privateKey }).sign({ rawBody: body }),
    );
  });

  it("@sendgrid/eventwebhook verifies what hookgate signs (DER signatures, both back ends)", async () => {
    for (let i = 0; i < 5; i++) {
      const keys = await generateEcdsaP256();
      const scheme = schemes.sendgrid({ privateKey: keys.privateKey });
      const headers = await scheme.sign({ rawBody: body });
      const signature = header(headers, "x-twilio-email-event-webhook-signature");
      const timestamp = header(headers, "x-twilio-email-event-webhook-timestamp");
      const key = sendgridWebhook.convertPublicKeyToECDSA(keys.publicKey);
      expect(sendgridWebhook.verifySignature(key, body, signature, timestamp)).toBe(true);
      expect(sendgridWebhook.verifySignature(key, tamper(body), signature, timestamp)).toBe(false);
    }
  });

  it("hookgate verifies what starkbank-ecdsa signs as SendGrid, and splits the batch by sg_event_id", async () => {
    // SendGrid's keys are P-256 (prime256v1); starkbank's default curve is secp256k1.
    const privateKey = new ecdsa.PrivateKey(prime256v1);
    const publicKey = privateKey.publicKey().toPem().trim();
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = ecdsa.Ecdsa.sign(timestamp + body, privateKey).toBase64();
    const scheme = schemes.sendgrid({ publicKey });
    const headers = {
      "content-type": "application/json",
      "x-twilio-email-event-webhook-signature": signature,
      "x-twilio-email-event-webhook-timestamp": timestamp,
    };
    const delivery = await verify(scheme, { headers, rawBody: body });
    expect(scheme.split!(delivery).map((d) => [d.id, d.type])).toEqual([
      ["c2VuZGdyaWQtMQ", "processed"],
      ["c2VuZGdyaWQtMg", "delivered"],
    ]);
    await expectRejected(verify(scheme, { headers, rawBody: tamper(body) }), "signature_mismatch");
    const other = (await generateEcdsaP256()).publicKey;
    await expectRejected(
      verify(schemes.sendgrid({ publicKey: other }), { headers, rawBody: body }),
      "signature_mismatch",
    );
  });
});
