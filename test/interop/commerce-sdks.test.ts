/**
 * hookgate ↔ the commerce providers' own SDKs (devDependencies of test/ only): each SDK verifies
 * what hookgate signs; hookgate verifies what the SDK signs where it can sign (Polar through
 * Standard Webhooks), otherwise the provider's documented algorithm computed here with node:crypto.
 */
import { createHmac } from "node:crypto";
import { createRequire } from "node:module";
import { schemes, verify } from "@hookgate/core";
import { Paddle } from "@paddle/paddle-node-sdk";
import { validateEvent, WebhookVerificationError } from "@polar-sh/sdk/webhooks";
import "@shopify/shopify-api/adapters/web-api";
import { ApiVersion, shopifyApi } from "@shopify/shopify-api";
import { WebhooksHelper } from "square";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import {
  describeEachCryptoBackend,
  expectCryptoBackend,
  expectRejected,
  header,
  randomSecret,
  tamper,
} from "./helpers.js";

// coinbase-commerce-node ships no types: the one function used, as its README documents it.
const coinbaseCommerce = createRequire(import.meta.url)("coinbase-commerce-node") as {
  Webhook: { verifyEventBody(body: string, signature: string, secret: string): { type: string } };
};

const hmac = (algorithm: string, key: string, data: string, encoding: "hex" | "base64") =>
  createHmac(algorithm, key).update(data).digest(encoding);

describeEachCryptoBackend("commerce SDKs ↔ hookgate", (backend) => {
  it(`runs hookgate on ${backend}`, async () => {
    await expectCryptoBackend(backend, () =>
      schemes.square({ secret: "s" }).sign({ rawBody: "{}", url: "https://e.com" }),
    );
  });

  describe("Square (square WebhooksHelper.verifySignature)", () => {
    const signatureKey = randomSecret();
    const scheme = schemes.square({ secret: signatureKey });
    const notificationUrl = "https://hooks.example.com/square";
    const body = JSON.stringify({
      merchant_id: "6SSW7HV8K2ST5",
      type: "payment.updated",
      event_id: "13b867cf-db3d-4b1c-90b6-2f32a9d78124",
      created_at: new Date().toISOString(),
      data: {
        type: "payment",
        id: "KkAkhdMsgzn59SM8A89WgKwekxLZY",
        object: { payment: { id: "KkAkhdMsgzn59SM8A89WgKwekxLZY", status: "COMPLETED" } },
      },
    });

    it("the SDK verifies what hookgate signs, for that URL only", async () => {
      const signatureHeader = header(
        await scheme.sign({ rawBody: body, url: notificationUrl }),
        "x-square-hmacsha256-signature",
      );
      const check = (requestBody: string, url = notificationUrl) =>
        WebhooksHelper.verifySignature({ requestBody, signatureHeader, signatureKey, notificationUrl: url });
      await expect(check(body)).resolves.toBe(true);
      await expect(check(tamper(body))).resolves.toBe(false);
      await expect(check(body, `${notificationUrl}/other`)).resolves.toBe(false);
    });

    it("hookgate verifies the documented base64 HMAC-SHA256 of URL + body", async () => {
      const headers = {
        "x-square-hmacsha256-signature": hmac("sha256", signatureKey, notificationUrl + body, "base64"),
      };
      await expect(verify(scheme, { headers, rawBody: body, url: notificationUrl })).resolves.toMatchObject({
        id: "13b867cf-db3d-4b1c-90b6-2f32a9d78124",
        type: "payment.updated",
      });
      await expectRejected(
        verify(scheme, { headers, rawBody: body, url: "https://evil.example/square" }),
        "signature_mismatch",
      );
    });
  });

  describe("Coinbase Commerce (coinbase-commerce-node Webhook.verifyEventBody)", () => {
    const secret = randomSecret();
    const scheme = schemes.coinbase({ secret });
    const body = JSON.stringify({
      id: 1,
      scheduled_for: new Date().toISOString(),
      event: {
        id: "24934862-d980-46cb-9402-43c81b0cdba6",
        resource: "event",
        type: "charge:confirmed",
        api_version: "2018-03-22",
        data: { code: "66BEOV2A" },
      },
    });

    it("the SDK verifies what hookgate signs", async () => {
      const signature = header(await scheme.sign({ rawBody: body }), "x-cc-webhook-signature");
      expect(coinbaseCommerce.Webhook.verifyEventBody(body, signature, secret)).toMatchObject({
        type: "charge:confirmed",
      });
      expect(() => coinbaseCommerce.Webhook.verifyEventBody(tamper(body), signature, secret)).toThrow();
    });

    it("hookgate verifies the documented hex HMAC-SHA256 of the body", async () => {
      const headers = { "x-cc-webhook-signature": hmac("sha256", secret, body, "hex") };
      await expect(verify(scheme, { headers, rawBody: body })).resolves.toMatchObject({
        id: "24934862-d980-46cb-9402-43c81b0cdba6",
        type: "charge:confirmed",
      });
    });
  });

  describe("Polar (@polar-sh/sdk validateEvent)", () => {
    const secret = randomSecret("polar_whs_");
    const scheme = schemes.polar({ secret });
    // A payload the SDK's schema may not fully accept: what is checked is whether the signature passed.
    const body = JSON.stringify({
      type: "customer.created",
      timestamp: new Date().toISOString(),
      data: { id: "c1" },
    });
    const signatureVerdict = (headers: Record<string, string>, payload = body) => {
      try {
        validateEvent(payload, headers, secret);
        return "valid";
      } catch (error) {
        if (error instanceof WebhookVerificationError) return "bad signature";
        // The signature passed; then the SDK's payload schema refused this minimal payload.
        if ((error as Error).name === "SDKValidationError") return "valid";
        throw error;
      }
    };

    it("validateEvent accepts hookgate's signature (the secret's UTF-8 bytes are the key)", async () => {
      const headers = await scheme.sign({ rawBody: body, id: "msg_polar_1" });
      expect(signatureVerdict(headers)).toBe("valid");
      expect(signatureVerdict(headers, tamper(body))).toBe("bad signature");
      const standard = await schemes
        .standardWebhooks({ secret: `whsec_${Buffer.from(secret).toString("base64")}` })
        .sign({ rawBody: body });
      expect(signatureVerdict(standard)).toBe("valid");
      const raw = await schemes
        .standardWebhooks({ secret: `whsec_${Buffer.from("polar_whs_other").toString("base64")}` })
        .sign({ rawBody: body });
      expect(signatureVerdict(raw)).toBe("bad signature");
    });

    it("hookgate verifies what Standard Webhooks signs with Polar's key derivation", async () => {
      const at = new Date();
      const signature = new StandardWebhook(Buffer.from(secret).toString("base64")).sign(
        "msg_polar_2",
        at,
        body,
      );
      const headers = {
        "webhook-id": "msg_polar_2",
        "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
        "webhook-signature": signature,
      };
      await expect(verify(scheme, { headers, rawBody: body })).resolves.toMatchObject({
        id: "msg_polar_2",
        type: "customer.created",
      });
      await expectRejected(verify(scheme, { headers, rawBody: tamper(body) }), "signature_mismatch");
    });
  });

  describe("Shopify (@shopify/shopify-api webhooks.validate)", () => {
    const apiSecretKey = randomSecret("shpss_");
    const shopify = shopifyApi({
      apiKey: "interop",
      apiSecretKey,
      apiVersion: ApiVersion.October25,
      hostName: "app.example.com",
      isEmbeddedApp: false,
      logger: { level: 0 },
    });
    const scheme = schemes.shopify({ secret: apiSecretKey });
    const body = JSON.stringify({ id: 820982911946154500, email: "jon@example.com", total_price: "199.00" });

    it("webhooks.validate accepts what hookgate signs, with the headers hookgate sends", async () => {
      const headers = await scheme.sign({
        rawBody: body,
        id: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
        type: "orders/create",
      });
      const request = (b: string) =>
        new Request("https://app.example.com/webhooks", { method: "POST", headers, body: b });
      const valid = await shopify.webhooks.validate({ rawBody: body, rawRequest: request(body) });
      expect(valid).toMatchObject({
        valid: true,
        topic: "ORDERS_CREATE",
        domain: "hookgate-test.myshopify.com",
        webhookId: "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043",
      });
      expect(
        await shopify.webhooks.validate({ rawBody: tamper(body), rawRequest: request(tamper(body)) }),
      ).toMatchObject({ valid: false });
    });

    it("hookgate verifies the documented base64 HMAC-SHA256 of the body", async () => {
      const headers = {
        "x-shopify-hmac-sha256": hmac("sha256", apiSecretKey, body, "base64"),
        "x-shopify-topic": "orders/create",
        "x-shopify-event-id": "e1",
      };
      await expect(verify(scheme, { headers, rawBody: body })).resolves.toMatchObject({
        id: "e1",
        type: "orders/create",
      });
    });
  });

  describe("Paddle (@paddle/paddle-node-sdk webhooks.unmarshal)", () => {
    const secretKey = randomSecret("pdl_ntfset_");
    const scheme = schemes.paddle({ secret: secretKey });
    const paddle = new Paddle("pdl_sdbx_apikey_hookgate_interop");
    const body = JSON.stringify({
      event_id: "evt_01h8441jn5pcwrfhwh78jqt8hk",
      event_type: "customer.created",
      occurred_at: new Date().toISOString(),
      notification_id: "ntf_01h8441jx8x1q971q9ksksqh82",
      data: {
        id: "ctm_01h8441jn5pcwrfhwh78jqt8hk",
        name: "Ada",
        email: "ada@example.com",
        status: "active",
        custom_data: null,
        locale: "en",
        created_at: "2023-08-18T12:34:56Z",
        updated_at: "2023-08-18T12:34:56Z",
        marketing_consent: false,
        import_meta: null,
      },
    });

    it("the SDK verifies what hookgate signs", async () => {
      const signature = header(await scheme.sign({ rawBody: body }), "paddle-signature");
      await expect(paddle.webhooks.isSignatureValid(body, secretKey, signature)).resolves.toBe(true);
      await expect(paddle.webhooks.unmarshal(body, secretKey, signature)).resolves.toMatchObject({
        eventId: "evt_01h8441jn5pcwrfhwh78jqt8hk",
      });
      await expect(paddle.webhooks.isSignatureValid(tamper(body), secretKey, signature)).resolves.toBe(false);
    });

    it("hookgate verifies the documented ts=…;h1=HMAC(ts:body)", async () => {
      const ts = Math.floor(Date.now() / 1000);
      const headers = {
        "paddle-signature": `ts=${ts};h1=${hmac("sha256", secretKey, `${ts}:${body}`, "hex")}`,
      };
      await expect(verify(scheme, { headers, rawBody: body })).resolves.toMatchObject({
        type: "customer.created",
      });
    });
  });
});
