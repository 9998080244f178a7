/**
 * Box's official SDK (`box-node-sdk`, the generated TypeScript SDK) ↔ hookgate, both ways:
 * `WebhooksManager.validateMessage` checks what hookgate's `box` scheme signs, and hookgate
 * verifies deliveries signed by the SDK's own `computeWebhookSignature`. Box's rules
 * (https://developer.box.com/guides/webhooks/v2/signatures-v2/): the primary header is signed
 * with the primary key and the secondary header with the secondary key; a delivery is trusted
 * when either matches, so one key can be reset at a time.
 */
import { randomUUID } from "node:crypto";
import { schemes, verify } from "@hookgate/core";
import { computeWebhookSignature, dateTimeToString, epochSecondsToDateTime } from "box-node-sdk/internal";
import { WebhooksManager } from "box-node-sdk/managers/webhooks";
import { describe, expect, it } from "vitest";
import {
  describeEachCryptoBackend,
  expectCryptoBackend,
  expectRejected,
  header,
  randomSecret,
  tamper,
} from "./helpers.js";

const body = JSON.stringify({
  type: "webhook_event",
  id: "c2b9f2a0-2b4f-4a9e-9f1e-1d1e2b9f2a00",
  created_at: "2026-01-01T10:00:00-08:00",
  trigger: "FILE.UPLOADED",
  webhook: { id: "1234567890" },
  source: { id: "1234567890", type: "file", name: "Q3 — résumé.pdf" },
});

/** What Box sends, each signature made by the SDK's own function with its own key. */
async function boxDelivery(
  rawBody: string,
  keys: { primary?: string | undefined; secondary?: string | undefined },
  timestamp = dateTimeToString(epochSecondsToDateTime(Math.floor(Date.now() / 1000))),
): Promise<Record<string, string>> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "box-delivery-id": randomUUID(),
    "box-delivery-timestamp": timestamp,
    "box-signature-algorithm": "HmacSHA256",
    "box-signature-version": "1",
  };
  if (keys.primary !== undefined)
    headers["box-signature-primary"] = (await computeWebhookSignature(rawBody, headers, keys.primary))!;
  if (keys.secondary !== undefined)
    headers["box-signature-secondary"] = (await computeWebhookSignature(rawBody, headers, keys.secondary))!;
  return headers;
}

describeEachCryptoBackend("Box (box-node-sdk) ↔ hookgate", (backend) => {
  const primary = randomSecret();
  const secondary = randomSecret();
  const scheme = schemes.box({ secret: [primary, secondary] });

  it(`runs hookgate on ${backend}`, async () => {
    await expectCryptoBackend(backend, () => scheme.sign({ rawBody: body }));
  });

  describe("hookgate sign → WebhooksManager.validateMessage", () => {
    it("the SDK accepts hookgate's delivery with both keys", async () => {
      const headers = await scheme.sign({ rawBody: body });
      expect(await WebhooksManager.validateMessage(body, headers, primary, { secondaryKey: secondary })).toBe(
        true,
      );
    });

    it("the SDK accepts it holding only the primary key (secondary wrong)", async () => {
      const headers = await scheme.sign({ rawBody: body });
      expect(
        await WebhooksManager.validateMessage(body, headers, primary, { secondaryKey: randomSecret() }),
      ).toBe(true);
    });

    it("the SDK accepts it holding only the secondary key (primary wrong): each header has its own key", async () => {
      const headers = await scheme.sign({ rawBody: body });
      expect(headers["box-signature-primary"]).not.toBe(headers["box-signature-secondary"]);
      expect(
        await WebhooksManager.validateMessage(body, headers, randomSecret(), { secondaryKey: secondary }),
      ).toBe(true);
    });

    it("a one-key scheme signs both headers with it; the SDK accepts it as primary", async () => {
      const single = schemes.box({ secret: primary });
      const headers = await single.sign({ rawBody: body });
      expect(headers["box-signature-secondary"]).toBe(headers["box-signature-primary"]);
      expect(await WebhooksManager.validateMessage(body, headers, primary)).toBe(true);
    });

    it("the signed headers are the ones Box sends", async () => {
      const id = randomUUID();
      const headers = await scheme.sign({ rawBody: body, id });
      expect(headers).toMatchObject({
        "box-delivery-id": id,
        "box-signature-version": "1",
        "box-signature-algorithm": "HmacSHA256",
      });
      expect(Date.parse(header(headers, "box-delivery-timestamp"))).toBeLessThanOrEqual(Date.now());
    });

    it("negative: the SDK refuses a tampered body, two wrong keys, and a delivery past its 10 minutes", async () => {
      const headers = await scheme.sign({ rawBody: body });
      expect(
        await WebhooksManager.validateMessage(tamper(body), headers, primary, { secondaryKey: secondary }),
      ).toBe(false);
      expect(
        await WebhooksManager.validateMessage(body, headers, randomSecret(), {
          secondaryKey: randomSecret(),
        }),
      ).toBe(false);
      const old = await scheme.sign({ rawBody: body, timestamp: new Date(Date.now() - 11 * 60_000) });
      expect(await WebhooksManager.validateMessage(body, old, primary, { secondaryKey: secondary })).toBe(
        false,
      );
    });
  });

  describe("SDK-signed delivery → hookgate verify", () => {
    it("verifies a delivery signed with both keys (the SDK's +00:00 timestamp), keyed by Box-Delivery-Id", async () => {
      const headers = await boxDelivery(body, { primary, secondary });
      expect(headers["box-delivery-timestamp"]).toMatch(/\+00:00$/);
      const delivery = await verify(scheme, { headers, rawBody: body });
      expect(delivery).toMatchObject({
        id: headers["box-delivery-id"],
        type: "FILE.UPLOADED",
        scheme: "box",
        payload: JSON.parse(body),
        matchedSecret: { index: 0 },
      });
    });

    it("verifies on the secondary signature when the primary is wrong", async () => {
      const headers = await boxDelivery(body, { primary: randomSecret(), secondary });
      expect(await WebhooksManager.validateMessage(body, headers, primary, { secondaryKey: secondary })).toBe(
        true,
      );
      await expect(verify(scheme, { headers, rawBody: body })).resolves.toMatchObject({
        matchedSecret: { index: 1 },
      });
    });

    it("verifies on the secondary signature when the primary header is absent", async () => {
      const headers = await boxDelivery(body, { secondary });
      expect(headers["box-signature-primary"]).toBeUndefined();
      expect(await WebhooksManager.validateMessage(body, headers, primary, { secondaryKey: secondary })).toBe(
        true,
      );
      await expect(verify(scheme, { headers, rawBody: body })).resolves.toMatchObject({
        matchedSecret: { index: 1 },
      });
    });

    it("named key ids are reported for the key that matched", async () => {
      const named = schemes.box({
        secret: [
          { id: "primary", value: primary },
          { id: "secondary", value: secondary },
        ],
      });
      const headers = await boxDelivery(body, { primary: randomSecret(), secondary });
      await expect(verify(named, { headers, rawBody: body })).resolves.toMatchObject({
        matchedSecret: { index: 1, id: "secondary" },
      });
    });

    it("negative: two wrong signatures, a tampered body, no signature at all", async () => {
      await expectRejected(
        verify(scheme, {
          headers: await boxDelivery(body, { primary: randomSecret(), secondary: randomSecret() }),
          rawBody: body,
        }),
        "signature_mismatch",
      );
      await expectRejected(
        verify(scheme, { headers: await boxDelivery(body, { primary, secondary }), rawBody: tamper(body) }),
        "signature_mismatch",
      );
      await expectRejected(
        verify(scheme, { headers: await boxDelivery(body, {}), rawBody: body }),
        "missing_signature",
      );
    });
  });

  describe("key rotation, following Box's rotation steps", () => {
    it("reset primary, update the app, reset secondary: every delivery on the way verifies", async () => {
      const newPrimary = randomSecret();
      const newSecondary = randomSecret();

      // 1. The primary key is reset in the Developer Console; the app still has the old pair.
      const afterReset = await boxDelivery(body, { primary: newPrimary, secondary });
      await expect(verify(scheme, { headers: afterReset, rawBody: body })).resolves.toMatchObject({
        matchedSecret: { index: 1 },
      });
      expect(
        await WebhooksManager.validateMessage(body, afterReset, primary, { secondaryKey: secondary }),
      ).toBe(true);

      // 2. The app is updated with the new primary; in-flight deliveries with the old primary still verify.
      const updated = schemes.box({ secret: [newPrimary, secondary] });
      await expect(verify(updated, { headers: afterReset, rawBody: body })).resolves.toMatchObject({
        matchedSecret: { index: 0 },
      });
      const inFlight = await boxDelivery(body, { primary, secondary });
      await expect(verify(updated, { headers: inFlight, rawBody: body })).resolves.toMatchObject({
        matchedSecret: { index: 1 },
      });

      // 3. The secondary key is reset too; the app verifies on the new primary until it is updated.
      const afterSecondReset = await boxDelivery(body, { primary: newPrimary, secondary: newSecondary });
      await expect(verify(updated, { headers: afterSecondReset, rawBody: body })).resolves.toMatchObject({
        matchedSecret: { index: 0 },
      });
      const done = schemes.box({ secret: [newPrimary, newSecondary] });
      await expect(verify(done, { headers: afterSecondReset, rawBody: body })).resolves.toMatchObject({
        matchedSecret: { index: 0 },
      });

      // A delivery signed only with keys that were both reset is refused.
      await expectRejected(verify(done, { headers: inFlight, rawBody: body }), "signature_mismatch");
    });

    it("hookgate's rotating scheme signs deliveries the SDK accepts on either key alone", async () => {
      const headers = await scheme.sign({ rawBody: body });
      expect(await WebhooksManager.validateMessage(body, headers, primary)).toBe(true);
      expect(
        await WebhooksManager.validateMessage(body, headers, randomSecret(), { secondaryKey: secondary }),
      ).toBe(true);
    });
  });
});
