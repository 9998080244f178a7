/**
 * hookgate ↔ the providers' own SDKs (devDependencies of test/ only). Each SDK verifies what
 * hookgate signs; hookgate verifies what the SDK signs where the SDK can sign, otherwise what the
 * provider's documented algorithm produces (computed here with node:crypto, not through hookgate).
 */
import { createHmac } from "node:crypto";
import { verifyWebhook as clerkVerifyWebhook } from "@clerk/backend/webhooks";
import { schemes, verify } from "@hookgate/core";
import { Signature as HubspotSignature } from "@hubspot/api-client";
import { validateSignature as lineValidateSignature } from "@line/bot-sdk";
import { LinearWebhookClient } from "@linear/sdk/webhooks";
import Mux from "@mux/mux-node";
import { EventSubMiddleware } from "@twurple/eventsub-http";
import { WorkOS } from "@workos-inc/node";
import { Resend } from "resend";
import { Webhook as SvixWebhook } from "svix";
import { describe, expect, it } from "vitest";
import {
  describeEachCryptoBackend,
  expectCryptoBackend,
  expectRejected,
  header,
  randomSecret,
  randomStandardKey,
  tamper,
} from "./helpers.js";

const hmac = (algorithm: string, key: string, data: string, encoding: "hex" | "base64") =>
  createHmac(algorithm, key).update(data).digest(encoding);
const nowSeconds = () => Math.floor(Date.now() / 1000);

describeEachCryptoBackend("SaaS SDKs ↔ hookgate", (backend) => {
  it(`runs hookgate on ${backend}`, async () => {
    await expectCryptoBackend(backend, () => schemes.mux({ secret: "s" }).sign({ rawBody: "{}" }));
  });

  describe("HubSpot (@hubspot/api-client Signature, v3)", () => {
    const clientSecret = randomSecret();
    const scheme = schemes.hubspot({ secret: clientSecret });
    const url = "https://hooks.example.com/hubspot?portal=62515";
    const body = JSON.stringify([
      {
        eventId: 1,
        subscriptionId: 4,
        portalId: 62515,
        occurredAt: Date.now(),
        subscriptionType: "contact.creation",
        attemptNumber: 0,
        objectId: 123,
        changeSource: "CRM",
      },
    ]);

    it("Signature.isValid accepts what hookgate signs", async () => {
      const headers = await scheme.sign({ rawBody: body, url });
      const check = (requestBody: string) =>
        HubspotSignature.isValid({
          signatureVersion: "v3",
          signature: header(headers, "x-hubspot-signature-v3"),
          clientSecret,
          requestBody,
          url,
          method: "POST",
          timestamp: Number(header(headers, "x-hubspot-request-timestamp")),
        });
      expect(check(body)).toBe(true);
      expect(check(tamper(body))).toBe(false);
    });

    it("hookgate verifies Signature.getSignature's v3 signature, and splits the events", async () => {
      const timestamp = Date.now();
      const signature = HubspotSignature.getSignature("POST", "v3", {
        signature: "",
        clientSecret,
        requestBody: body,
        url,
        timestamp,
      });
      const headers = {
        "x-hubspot-signature-v3": signature,
        "x-hubspot-request-timestamp": String(timestamp),
      };
      const delivery = await verify(scheme, { headers, rawBody: body, url });
      expect(scheme.split!(delivery).map((d) => [d.id, d.type])).toEqual([["4:1", "contact.creation"]]);
      await expectRejected(
        verify(scheme, { headers, rawBody: body, url: `${url}&x=1` }),
        "signature_mismatch",
      );
    });
  });

  describe("Mux (@mux/mux-node webhooks.verifySignature)", () => {
    const secret = randomSecret();
    const scheme = schemes.mux({ secret });
    const mux = new Mux({ tokenId: "interop", tokenSecret: "interop", webhookSecret: secret });
    const body = JSON.stringify({
      type: "video.asset.ready",
      id: "3a56ac3d-33da-4366-855b-f592d898409d",
      object: { type: "asset", id: "asset_1" },
      data: { status: "ready" },
    });

    it("the SDK verifies what hookgate signs, and refuses a tampered body", async () => {
      const headers = await scheme.sign({ rawBody: body });
      await expect(mux.webhooks.verifySignature(body, headers, secret)).resolves.toBeUndefined();
      await expect(mux.webhooks.verifySignature(tamper(body), headers, secret)).rejects.toThrow();
    });

    it("hookgate verifies the documented t=…,v1=HMAC(t.body)", async () => {
      const t = nowSeconds();
      const headers = { "mux-signature": `t=${t},v1=${hmac("sha256", secret, `${t}.${body}`, "hex")}` };
      await expect(verify(scheme, { headers, rawBody: body })).resolves.toMatchObject({
        type: "video.asset.ready",
      });
      await expectRejected(verify(scheme, { headers, rawBody: tamper(body) }), "signature_mismatch");
    });
  });

  describe("WorkOS (@workos-inc/node webhooks.constructEvent / computeSignature)", () => {
    const secret = randomSecret();
    const scheme = schemes.workos({ secret });
    const workos = new WorkOS("sk_test_hookgate_interop");
    const event = {
      id: "event_01HXYZ",
      event: "user.created",
      data: { id: "user_01", email: "ada@example.com", object: "user" },
      created_at: new Date().toISOString(),
    };
    const body = JSON.stringify(event);

    it("constructEvent accepts what hookgate signs", async () => {
      const headers = await scheme.sign({ rawBody: body });
      const sigHeader = header(headers, "workos-signature");
      await expect(
        workos.webhooks.constructEvent({ payload: JSON.parse(body), sigHeader, secret }),
      ).resolves.toMatchObject({ event: "user.created" });
      await expect(
        workos.webhooks.constructEvent({ payload: { ...event, id: "other" }, sigHeader, secret }),
      ).rejects.toThrow();
    });

    it("hookgate verifies computeSignature's signature (millisecond timestamp)", async () => {
      const t = Date.now();
      const signature = await workos.webhooks.computeSignature(t, event, secret);
      const headers = { "workos-signature": `t=${t}, v1=${signature}` };
      const delivery = await verify(scheme, { headers, rawBody: body });
      expect(delivery).toMatchObject({ id: "event_01HXYZ", type: "user.created" });
      expect(delivery.timestamp?.getTime()).toBe(t);
      await expectRejected(
        verify(schemes.workos({ secret: "wrong" }), { headers, rawBody: body }),
        "signature_mismatch",
      );
    });
  });

  describe("LINE (@line/bot-sdk validateSignature)", () => {
    const channelSecret = randomSecret();
    const scheme = schemes.line({ secret: channelSecret });
    const body = JSON.stringify({
      destination: "Uxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
      events: [
        {
          type: "message",
          webhookEventId: "01FZ74A0TDDPYRVKNK77XKC3ZR",
          deliveryContext: { isRedelivery: false },
          timestamp: Date.now(),
          mode: "active",
          message: { type: "text", id: "1", text: "hello" },
          replyToken: "r",
          source: { type: "user", userId: "U1" },
        },
      ],
    });

    it("validateSignature accepts what hookgate signs", async () => {
      const signature = header(await scheme.sign({ rawBody: body }), "x-line-signature");
      expect(lineValidateSignature(body, channelSecret, signature)).toBe(true);
      expect(lineValidateSignature(tamper(body), channelSecret, signature)).toBe(false);
    });

    it("hookgate verifies the documented base64 HMAC-SHA256 of the body", async () => {
      const headers = { "x-line-signature": hmac("sha256", channelSecret, body, "base64") };
      const delivery = await verify(scheme, { headers, rawBody: body });
      expect(scheme.split!(delivery).map((d) => d.id)).toEqual(["01FZ74A0TDDPYRVKNK77XKC3ZR"]);
      await expectRejected(verify(scheme, { headers, rawBody: tamper(body) }), "signature_mismatch");
    });
  });

  describe("Twitch EventSub (@twurple/eventsub-http's own verification)", () => {
    const secret = randomSecret();
    const scheme = schemes.twitch({ secret });
    // The check twurple's listener and middleware run on every request, on an instance holding only the secret.
    const twurple = Object.assign(Object.create(EventSubMiddleware.prototype), { _secret: secret }) as {
      _verifyData(messageId: string, timestamp: string, body: string, signature: string): boolean;
    };
    const body = JSON.stringify({
      subscription: {
        id: "f1c2a387-161a-49f9-a165-0f21d7a4e1c4",
        type: "channel.follow",
        version: "2",
        status: "enabled",
        cost: 0,
        condition: {},
        transport: { method: "webhook", callback: "https://example.com/twitch" },
        created_at: "2019-11-16T10:11:12.634234626Z",
      },
      event: {
        user_id: "1234",
        user_login: "cool_user",
        broadcaster_user_id: "1337",
        followed_at: "2020-07-15T18:16:11.17106713Z",
      },
    });

    it("twurple verifies what hookgate signs", async () => {
      const headers = await scheme.sign({ rawBody: body, id: "befa7b53-d79d-478f-86b9-120f112b044e" });
      const args = [
        header(headers, "twitch-eventsub-message-id"),
        header(headers, "twitch-eventsub-message-timestamp"),
      ] as const;
      expect(twurple._verifyData(...args, body, header(headers, "twitch-eventsub-message-signature"))).toBe(
        true,
      );
      expect(
        twurple._verifyData(...args, tamper(body), header(headers, "twitch-eventsub-message-signature")),
      ).toBe(false);
    });

    it("hookgate verifies the documented HMAC over id + RFC 3339 timestamp + body", async () => {
      const id = "befa7b53-d79d-478f-86b9-120f112b044e";
      const timestamp = new Date().toISOString().replace("Z", "634234Z");
      const headers = {
        "twitch-eventsub-message-id": id,
        "twitch-eventsub-message-timestamp": timestamp,
        "twitch-eventsub-message-signature": `sha256=${hmac("sha256", secret, id + timestamp + body, "hex")}`,
        "twitch-eventsub-message-type": "notification",
      };
      await expect(verify(scheme, { headers, rawBody: body })).resolves.toMatchObject({
        id,
        type: "channel.follow",
      });
      await expectRejected(
        verify(scheme, { headers: { ...headers, "twitch-eventsub-message-id": "other" }, rawBody: body }),
        "signature_mismatch",
      );
    });
  });

  describe("Resend (resend webhooks.verify) and Clerk (@clerk/backend verifyWebhook), both Svix", () => {
    const secret = `whsec_${randomStandardKey()}`;
    const body = JSON.stringify({
      type: "email.delivered",
      created_at: new Date().toISOString(),
      data: { email_id: "4ef9a417-02e9-4d39-ad75-9611e0fcc33c", to: ["ada@example.com"] },
    });

    it("Resend's SDK verifies what hookgate signs", async () => {
      const headers = await schemes.resend({ secret }).sign({ rawBody: body, id: "msg_resend_1" });
      const verifyWith = (payload: string) =>
        new Resend("re_hookgate_interop").webhooks.verify({
          payload,
          headers: {
            id: header(headers, "svix-id"),
            timestamp: header(headers, "svix-timestamp"),
            signature: header(headers, "svix-signature"),
          },
          webhookSecret: secret,
        });
      expect(verifyWith(body)).toMatchObject({ type: "email.delivered" });
      expect(() => verifyWith(tamper(body))).toThrow();
    });

    it("Clerk's verifyWebhook accepts what hookgate signs", async () => {
      const clerkBody = JSON.stringify({
        type: "user.created",
        object: "event",
        data: { id: "user_29w83sxmDNGwOuEthce5gg56FcC" },
      });
      const headers = await schemes.clerk({ secret }).sign({ rawBody: clerkBody, id: "msg_clerk_1" });
      const request = (b: string) =>
        new Request("https://example.com/clerk", { method: "POST", headers, body: b });
      await expect(clerkVerifyWebhook(request(clerkBody), { signingSecret: secret })).resolves.toMatchObject({
        type: "user.created",
      });
      await expect(
        clerkVerifyWebhook(request(tamper(clerkBody)), { signingSecret: secret }),
      ).rejects.toThrow();
    });

    it("hookgate's resend and clerk schemes verify what Svix signs", async () => {
      const svix = new SvixWebhook(secret);
      const at = new Date();
      const signature = svix.sign("msg_svix_1", at, body);
      const headers = {
        "svix-id": "msg_svix_1",
        "svix-timestamp": String(Math.floor(at.getTime() / 1000)),
        "svix-signature": signature,
      };
      for (const scheme of [schemes.resend({ secret }), schemes.clerk({ secret })]) {
        await expect(verify(scheme, { headers, rawBody: body })).resolves.toMatchObject({
          id: "msg_svix_1",
          type: "email.delivered",
          scheme: scheme.name,
        });
        await expectRejected(verify(scheme, { headers, rawBody: tamper(body) }), "signature_mismatch");
      }
    });
  });

  describe("Linear (@linear/sdk LinearWebhookClient)", () => {
    const secret = randomSecret("lin_wh_");
    const scheme = schemes.linear({ secret });
    const body = () =>
      JSON.stringify({
        action: "create",
        type: "Issue",
        data: { id: "i1", title: "Interop" },
        webhookTimestamp: Date.now(),
        webhookId: "w1",
      });

    it("LinearWebhookClient verifies what hookgate signs", async () => {
      const rawBody = body();
      const signature = header(
        await scheme.sign({ rawBody, id: "d1", type: "Issue.create" }),
        "linear-signature",
      );
      const client = new LinearWebhookClient(secret);
      expect(client.verify(Buffer.from(rawBody), signature)).toBe(true);
      expect(() => client.verify(Buffer.from(tamper(rawBody)), signature)).toThrow();
    });

    it("hookgate verifies the documented hex HMAC-SHA256 of the body", async () => {
      const rawBody = body();
      const headers = { "linear-signature": hmac("sha256", secret, rawBody, "hex"), "linear-delivery": "d2" };
      await expect(verify(scheme, { headers, rawBody })).resolves.toMatchObject({
        id: "d2",
        type: "Issue.create",
      });
    });
  });
});
