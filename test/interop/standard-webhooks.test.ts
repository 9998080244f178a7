import { sign as edSign, verify as edVerify } from "node:crypto";
import { schemes, verify } from "@hookgate/core";
import { Webhook as StandardWebhook } from "standardwebhooks";
import { Webhook as SvixWebhook } from "svix";
import { describe, expect, it } from "vitest";
import {
  asSvixHeaders,
  at,
  DEFAULT_TOLERANCE,
  describeEachCryptoBackend,
  ed25519Pair,
  expectCryptoBackend,
  expectRejected,
  FIXED_NOW_SECONDS,
  fixedNow,
  header,
  randomStandardKey,
  tamper,
} from "./helpers.js";

/** Both reference verifiers behind one shape: `verify` throws when the request does not check out. */
interface ProviderWebhook {
  sign(msgId: string, timestamp: Date, payload: string | Buffer): string;
  verify(payload: string | Buffer, headers: Record<string, string>): unknown;
}
const sdks: ReadonlyArray<readonly [string, (secret: string) => ProviderWebhook]> = [
  ["standardwebhooks", (secret) => new StandardWebhook(secret)],
  ["svix", (secret) => new SvixWebhook(secret)],
];
/** The header names each SDK reads: standardwebhooks only `webhook-*`, svix both. */
const headerStyles = [
  ["webhook-*", (headers: Record<string, string>) => headers],
  ["svix-*", asSvixHeaders],
] as const;

const payload = JSON.stringify({
  type: "invoice.paid",
  timestamp: "2025-06-15T12:00:00Z",
  data: { id: "in_1", amount: 4200, note: "façade ✓" },
});
const msgId = "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W";

/** The three headers a sender puts on a request, under `prefix`. */
function providerHeaders(
  prefix: "webhook" | "svix",
  signature: string,
  timestamp = FIXED_NOW_SECONDS,
  id = msgId,
): Record<string, string> {
  return {
    "content-type": "application/json",
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(timestamp),
    [`${prefix}-signature`]: signature,
  };
}

describeEachCryptoBackend("Standard Webhooks / Svix ↔ hookgate", (backend) => {
  it(`runs hookgate on ${backend}`, async () => {
    const scheme = schemes.standardWebhooks({ secret: `whsec_${randomStandardKey()}` });
    await expectCryptoBackend(backend, () => scheme.sign({ rawBody: payload }));
  });

  describe.each(sdks)("%s", (sdkName, makeSdk) => {
    const key = randomStandardKey();
    // Secrets with and without the whsec_ prefix decode to the same key on both sides.
    const secretForms = [
      ["whsec_ on both sides", `whsec_${key}`, `whsec_${key}`],
      ["whsec_ for the SDK, bare base64 for hookgate", `whsec_${key}`, key],
      ["bare base64 for the SDK, whsec_ for hookgate", key, `whsec_${key}`],
    ] as const;

    describe.each(secretForms)("secret: %s", (_, sdkSecret, hookgateSecret) => {
      const sdk = makeSdk(sdkSecret);
      const scheme = schemes.standardWebhooks({ secret: hookgateSecret });

      it.each(headerStyles)(`${sdkName}.sign with %s headers → hookgate verifies`, async (style) => {
        const signature = sdk.sign(msgId, fixedNow, payload);
        const prefix = style === "svix-*" ? "svix" : "webhook";
        const delivery = await verify(
          scheme,
          { headers: providerHeaders(prefix, signature), rawBody: payload },
          { now: fixedNow },
        );
        expect(delivery).toMatchObject({
          id: msgId,
          type: "invoice.paid",
          scheme: "standard-webhooks",
          payload: JSON.parse(payload),
          matchedSecret: { index: 0 },
        });
        expect(delivery.timestamp).toEqual(fixedNow);
      });

      it(`hookgate sign (webhook-* headers) → ${sdkName}.verify accepts`, async () => {
        const headers = await scheme.sign({ id: msgId, rawBody: payload });
        expect(Object.keys(headers)).toEqual(
          expect.arrayContaining(["webhook-id", "webhook-timestamp", "webhook-signature"]),
        );
        expect(() => sdk.verify(payload, headers)).not.toThrow();
        expect(() => sdk.verify(Buffer.from(payload), headers)).not.toThrow();
      });

      it(`hookgate's signature is exactly ${sdkName}'s for the same id and time`, async () => {
        const headers = await scheme.sign({ id: msgId, timestamp: fixedNow, rawBody: payload });
        expect(headers["webhook-signature"]).toBe(sdk.sign(msgId, fixedNow, payload));
        expect(headers["webhook-timestamp"]).toBe(String(FIXED_NOW_SECONDS));
        expect(headers["webhook-id"]).toBe(msgId);
      });

      it(`${sdkName} refuses hookgate's headers for a tampered body or a stale time`, async () => {
        const headers = await scheme.sign({ id: msgId, rawBody: payload });
        expect(() => sdk.verify(tamper(payload), headers)).toThrow(/No matching signature/);
        const old = await scheme.sign({
          id: msgId,
          rawBody: payload,
          timestamp: new Date(Date.now() - 600_000),
        });
        expect(() => sdk.verify(payload, old)).toThrow(/too old/);
        const future = await scheme.sign({
          id: msgId,
          rawBody: payload,
          timestamp: new Date(Date.now() + 600_000),
        });
        expect(() => sdk.verify(payload, future)).toThrow(/too new/);
      });
    });

    describe(`negative: what hookgate refuses from ${sdkName}`, () => {
      const sdk = makeSdk(`whsec_${key}`);
      const scheme = schemes.standardWebhooks({ secret: `whsec_${key}` });
      const check = (headers: Record<string, string>, body = payload) =>
        verify(scheme, { headers, rawBody: body }, { now: fixedNow });
      const signedAt = (seconds: number) =>
        providerHeaders("webhook", sdk.sign(msgId, at(seconds), payload), seconds);

      it("a tampered body", async () => {
        await expectRejected(
          check(providerHeaders("webhook", sdk.sign(msgId, fixedNow, payload)), tamper(payload)),
          "signature_mismatch",
        );
      });

      it("a wrong secret", async () => {
        const other = makeSdk(`whsec_${randomStandardKey()}`);
        await expectRejected(
          check(providerHeaders("svix", other.sign(msgId, fixedNow, payload))),
          "signature_mismatch",
        );
      });

      it("a signature moved to another message id", async () => {
        const signature = sdk.sign(msgId, fixedNow, payload);
        await expectRejected(
          check(providerHeaders("webhook", signature, FIXED_NOW_SECONDS, "msg_other")),
          "signature_mismatch",
        );
      });

      it("a timestamp older than the tolerance", async () => {
        await expect(check(signedAt(FIXED_NOW_SECONDS - DEFAULT_TOLERANCE))).resolves.toBeTruthy();
        await expectRejected(check(signedAt(FIXED_NOW_SECONDS - DEFAULT_TOLERANCE - 1)), "timestamp_too_old");
      });

      it("a timestamp further in the future than the tolerance", async () => {
        await expect(check(signedAt(FIXED_NOW_SECONDS + DEFAULT_TOLERANCE))).resolves.toBeTruthy();
        await expectRejected(
          check(signedAt(FIXED_NOW_SECONDS + DEFAULT_TOLERANCE + 1)),
          "timestamp_in_future",
        );
      });

      it("a timestamp header changed after signing", async () => {
        const headers = providerHeaders("webhook", sdk.sign(msgId, fixedNow, payload), FIXED_NOW_SECONDS + 1);
        await expectRejected(check(headers), "signature_mismatch");
      });
    });
  });

  describe("the standardwebhooks library's published vectors (libraries/javascript/src/webhook.test.ts)", () => {
    // "sign function works": copied byte-exactly.
    const vectorKey = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const vectorId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const vectorTimestamp = 1614265330;
    const vectorPayload = '{"test": 2432232314}';
    const vectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
    const scheme = schemes.standardWebhooks({ secret: vectorKey });
    const vectorHeaders = providerHeaders("webhook", vectorSignature, vectorTimestamp, vectorId);

    it("the vector is the library's own output (guards the copy)", () => {
      expect(new StandardWebhook(vectorKey).sign(vectorId, at(vectorTimestamp), vectorPayload)).toBe(
        vectorSignature,
      );
    });

    it("hookgate verifies the published signature", async () => {
      const delivery = await verify(
        scheme,
        { headers: vectorHeaders, rawBody: vectorPayload },
        { now: at(vectorTimestamp + 10) },
      );
      expect(delivery).toMatchObject({ id: vectorId, payload: { test: 2432232314 } });
      expect(delivery.timestamp).toEqual(at(vectorTimestamp));
    });

    it("hookgate's sign reproduces it from the same id, timestamp and payload", async () => {
      const headers = await scheme.sign({
        id: vectorId,
        timestamp: at(vectorTimestamp),
        rawBody: vectorPayload,
      });
      expect(headers["webhook-signature"]).toBe(vectorSignature);
      expect(headers["webhook-timestamp"]).toBe(String(vectorTimestamp));
    });

    it("finds the valid signature among unknown versions and other v1 values", async () => {
      const bogus = "Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
      const signature = `v1,${bogus} v2,${bogus} ${vectorSignature} v1,${bogus}`;
      await expect(
        verify(
          scheme,
          {
            headers: providerHeaders("webhook", signature, vectorTimestamp, vectorId),
            rawBody: vectorPayload,
          },
          { now: at(vectorTimestamp) },
        ),
      ).resolves.toMatchObject({ id: vectorId });
    });

    it("refuses an empty and a truncated signature, as the library does", async () => {
      for (const signature of ["v1,", vectorSignature.slice(0, -4)]) {
        await expectRejected(
          verify(
            scheme,
            {
              headers: providerHeaders("webhook", signature, vectorTimestamp, vectorId),
              rawBody: vectorPayload,
            },
            { now: at(vectorTimestamp) },
          ),
          "malformed_signature",
        );
      }
    });

    it("refuses the published signature over a changed payload", async () => {
      await expectRejected(
        verify(
          scheme,
          { headers: vectorHeaders, rawBody: '{"test": 2432232315}' },
          { now: at(vectorTimestamp) },
        ),
        "signature_mismatch",
      );
    });
  });

  describe("v1a: asymmetric (Ed25519) signatures, whsk_ signs and whpk_ verifies", () => {
    const pair = ed25519Pair();
    const signer = schemes.standardWebhooks({ secret: `whsk_${pair.seedBase64}` });
    const verifier = schemes.standardWebhooks({ secret: `whpk_${pair.publicBase64}` });

    it("signs a v1a entry that a whpk_ scheme verifies", async () => {
      const headers = await signer.sign({ id: msgId, rawBody: payload, timestamp: fixedNow });
      expect(header(headers, "webhook-signature")).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
      const delivery = await verify(verifier, { headers, rawBody: payload }, { now: fixedNow });
      expect(delivery).toMatchObject({ id: msgId, type: "invoice.paid", matchedSecret: { index: 0 } });
      // Also under the svix-* names.
      await expect(
        verify(verifier, { headers: asSvixHeaders(headers), rawBody: payload }, { now: fixedNow }),
      ).resolves.toMatchObject({ id: msgId });
    });

    it("the v1a value is a plain Ed25519 signature over 'id.timestamp.body' (node:crypto agrees)", async () => {
      const headers = await signer.sign({ id: msgId, rawBody: payload, timestamp: fixedNow });
      const signature = Buffer.from(header(headers, "webhook-signature").slice("v1a,".length), "base64");
      expect(signature).toHaveLength(64);
      const signed = Buffer.from(`${msgId}.${FIXED_NOW_SECONDS}.${payload}`);
      expect(edVerify(null, signed, pair.publicKey, signature)).toBe(true);
      expect(
        edVerify(
          null,
          Buffer.from(`${msgId}.${FIXED_NOW_SECONDS}.${tamper(payload)}`),
          pair.publicKey,
          signature,
        ),
      ).toBe(false);
    });

    it("a 64-byte whsk_ (seed ‖ public key) signs the same bytes as the 32-byte seed", async () => {
      const long = schemes.standardWebhooks({
        secret: `whsk_${Buffer.concat([pair.seed, pair.raw]).toString("base64")}`,
      });
      const input = { id: msgId, rawBody: payload, timestamp: fixedNow };
      expect((await long.sign(input))["webhook-signature"]).toBe(
        (await signer.sign(input))["webhook-signature"],
      );
    });

    it("the HMAC-only reference verifier ignores v1a and finds no signature", async () => {
      const headers = await signer.sign({ id: msgId, rawBody: payload });
      expect(() => new StandardWebhook(`whsec_${randomStandardKey()}`).verify(payload, headers)).toThrow(
        /No matching signature/,
      );
    });

    it("refuses a tampered body, another key pair, and stale or future timestamps", async () => {
      const headers = await signer.sign({ id: msgId, rawBody: payload, timestamp: fixedNow });
      await expectRejected(
        verify(verifier, { headers, rawBody: tamper(payload) }, { now: fixedNow }),
        "signature_mismatch",
      );
      const stranger = schemes.standardWebhooks({ secret: `whpk_${ed25519Pair().publicBase64}` });
      await expectRejected(
        verify(stranger, { headers, rawBody: payload }, { now: fixedNow }),
        "signature_mismatch",
      );
      const later = new Date(fixedNow.getTime() + (DEFAULT_TOLERANCE + 1) * 1000);
      await expectRejected(
        verify(verifier, { headers, rawBody: payload }, { now: later }),
        "timestamp_too_old",
      );
      const earlier = new Date(fixedNow.getTime() - (DEFAULT_TOLERANCE + 1) * 1000);
      await expectRejected(
        verify(verifier, { headers, rawBody: payload }, { now: earlier }),
        "timestamp_in_future",
      );
    });

    it("a signature made by node:crypto with the same key verifies in hookgate", async () => {
      const signature = edSign(
        null,
        Buffer.from(`${msgId}.${FIXED_NOW_SECONDS}.${payload}`),
        pair.privateKey,
      );
      const headers = providerHeaders("webhook", `v1a,${signature.toString("base64")}`);
      await expect(verify(verifier, { headers, rawBody: payload }, { now: fixedNow })).resolves.toMatchObject(
        {
          id: msgId,
        },
      );
    });
  });
});
