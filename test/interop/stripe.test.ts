import { schemes, verify } from "@hookgate/core";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_TOLERANCE,
  describeEachCryptoBackend,
  expectCryptoBackend,
  expectRejected,
  FIXED_NOW_SECONDS,
  fixedNow,
  header,
  randomSecret,
  tamper,
} from "./helpers.js";

const stripe = new Stripe("sk_test_hookgate_interop");

// Stripe sends pretty-printed JSON: the signature covers those exact bytes, whitespace included.
const payload = JSON.stringify(
  {
    id: "evt_1PqInterop",
    object: "event",
    api_version: "2025-10-29.clover",
    created: FIXED_NOW_SECONDS,
    type: "payment_intent.succeeded",
    livemode: false,
    data: { object: { id: "pi_3PqInterop", object: "payment_intent", amount: 2000, currency: "eur" } },
  },
  null,
  2,
);

/** The header Stripe's SDK makes for `payload`, signed at `timestamp` (seconds). */
const stripeHeader = (secret: string, timestamp = FIXED_NOW_SECONDS, body = payload) =>
  stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });

describe("test setup", () => {
  it("Stripe's test header is t=<seconds>,v1=<64 hex>", () => {
    expect(stripeHeader(randomSecret("whsec_"))).toMatch(
      new RegExp(`^t=${FIXED_NOW_SECONDS},v1=[0-9a-f]{64}$`),
    );
  });
});

describeEachCryptoBackend("Stripe ↔ hookgate", (backend) => {
  const secret = randomSecret("whsec_");
  const scheme = schemes.stripe({ secret });

  it(`runs hookgate on ${backend}`, async () => {
    await expectCryptoBackend(backend, () => scheme.sign({ rawBody: payload }));
  });

  describe("stripe.webhooks.generateTestHeaderString → hookgate verify", () => {
    it("verifies and reads the event id, type and signed time", async () => {
      const delivery = await verify(
        scheme,
        { headers: { "stripe-signature": stripeHeader(secret) }, rawBody: payload },
        { now: fixedNow },
      );
      expect(delivery).toMatchObject({
        id: "evt_1PqInterop",
        type: "payment_intent.succeeded",
        scheme: "stripe",
        payload: JSON.parse(payload),
        matchedSecret: { index: 0 },
      });
      expect(delivery.timestamp).toEqual(fixedNow);
      expect(new TextDecoder().decode(delivery.rawBody)).toBe(payload);
    });

    it("verifies the raw bytes as a Buffer with Stripe-Signature in a Web Headers object", async () => {
      const headers = new Headers({
        "Stripe-Signature": stripeHeader(secret),
        "Content-Type": "application/json",
      });
      await expect(
        verify(scheme, { headers, rawBody: Buffer.from(payload) }, { now: fixedNow }),
      ).resolves.toMatchObject({ id: "evt_1PqInterop" });
    });

    it("ignores a test-mode v0 signature next to the v1 one", async () => {
      const v1 = stripeHeader(secret);
      const v0 = stripe.webhooks.generateTestHeaderString({
        payload,
        secret: randomSecret("whsec_"),
        timestamp: FIXED_NOW_SECONDS,
        scheme: "v0",
      });
      const combined = `${v1},${v0.split(",")[1]}`;
      await expect(
        verify(scheme, { headers: { "stripe-signature": combined }, rawBody: payload }, { now: fixedNow }),
      ).resolves.toMatchObject({ id: "evt_1PqInterop" });
    });

    it("does not accept a header that carries only a v0 signature", async () => {
      const v0Only = stripe.webhooks.generateTestHeaderString({
        payload,
        secret,
        timestamp: FIXED_NOW_SECONDS,
        scheme: "v0",
      });
      await expectRejected(
        verify(scheme, { headers: { "stripe-signature": v0Only }, rawBody: payload }, { now: fixedNow }),
        "malformed_signature",
      );
    });
  });

  describe("hookgate sign → stripe.webhooks.constructEvent", () => {
    it("constructEvent accepts hookgate's header and returns the event", async () => {
      const headers = await scheme.sign({ rawBody: payload });
      const event = stripe.webhooks.constructEvent(payload, header(headers, "stripe-signature"), secret);
      expect(event.id).toBe("evt_1PqInterop");
      expect(event.type).toBe("payment_intent.succeeded");
      expect(headers["content-type"]).toBe("application/json");
    });

    it("constructEventAsync accepts it too, from a Buffer body", async () => {
      const headers = await scheme.sign({ rawBody: Buffer.from(payload) });
      await expect(
        stripe.webhooks.constructEventAsync(
          Buffer.from(payload),
          header(headers, "stripe-signature"),
          secret,
        ),
      ).resolves.toMatchObject({ id: "evt_1PqInterop" });
    });

    it("produces byte-for-byte the header Stripe's SDK produces for the same time", async () => {
      const headers = await scheme.sign({ rawBody: payload, timestamp: fixedNow });
      expect(headers["stripe-signature"]).toBe(stripeHeader(secret));
    });

    it("Stripe refuses hookgate's header for another body, secret, or a stale time", async () => {
      const headers = await scheme.sign({ rawBody: payload });
      const signature = header(headers, "stripe-signature");
      expect(() => stripe.webhooks.constructEvent(tamper(payload), signature, secret)).toThrow(
        /No signatures found matching/,
      );
      expect(() => stripe.webhooks.constructEvent(payload, signature, randomSecret("whsec_"))).toThrow(
        /No signatures found matching/,
      );
      const stale = await scheme.sign({ rawBody: payload, timestamp: new Date(Date.now() - 600_000) });
      expect(() =>
        stripe.webhooks.constructEvent(payload, header(stale, "stripe-signature"), secret),
      ).toThrow(/tolerance/);
    });
  });

  describe("secret rotation: one v1 per active secret", () => {
    const oldSecret = randomSecret("whsec_");
    const newSecret = randomSecret("whsec_");
    const unrelated = randomSecret("whsec_");
    // What Stripe sends while a secret rolls: one t, one v1 per secret.
    const rolling = () => {
      const [t, v1Old] = stripeHeader(oldSecret).split(",");
      const [, v1New] = stripeHeader(newSecret).split(",");
      return `${t},${v1Old},${v1New}`;
    };
    const check = (secret: Parameters<typeof schemes.stripe>[0]["secret"], stripeSignature = rolling()) =>
      verify(
        schemes.stripe({ secret }),
        { headers: { "stripe-signature": stripeSignature }, rawBody: payload },
        { now: fixedNow },
      );

    it("a two-signature header verifies against either secret alone", async () => {
      expect(rolling()).toMatch(/^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
      await expect(check(oldSecret)).resolves.toMatchObject({ matchedSecret: { index: 0 } });
      await expect(check(newSecret)).resolves.toMatchObject({ matchedSecret: { index: 0 } });
    });

    it("names the configured entry that matched, by index and id", async () => {
      const delivery = await check([
        { id: "unrelated", value: unrelated },
        { id: "2024-old", value: oldSecret },
      ]);
      expect(delivery.matchedSecret).toEqual({ index: 1, id: "2024-old" });
      const byNew = await check([
        { id: "unrelated", value: unrelated },
        { id: "2025-new", value: newSecret },
      ]);
      expect(byNew.matchedSecret).toEqual({ index: 1, id: "2025-new" });
    });

    it("names the index alone when secrets are plain strings", async () => {
      const delivery = await check([unrelated, randomSecret("whsec_"), newSecret]);
      expect(delivery.matchedSecret).toEqual({ index: 2 });
    });

    it("tells an operator when only the old secret still matches", async () => {
      const onlyOld = stripeHeader(oldSecret);
      const delivery = await check(
        [
          { id: "new", value: newSecret },
          { id: "old", value: oldSecret },
        ],
        onlyOld,
      );
      expect(delivery.matchedSecret).toEqual({ index: 1, id: "old" });
    });

    it("refuses the rolling header when neither secret is configured", async () => {
      await expectRejected(check([unrelated, randomSecret("whsec_")]), "signature_mismatch");
    });

    it("hookgate signs with the first configured secret, which constructEvent accepts", async () => {
      const rotating = schemes.stripe({ secret: [newSecret, oldSecret] });
      const signature = header(await rotating.sign({ rawBody: payload }), "stripe-signature");
      expect(stripe.webhooks.constructEvent(payload, signature, newSecret).id).toBe("evt_1PqInterop");
      expect(() => stripe.webhooks.constructEvent(payload, signature, oldSecret)).toThrow(
        /No signatures found matching/,
      );
    });
  });

  describe("negative: what hookgate refuses from Stripe's SDK", () => {
    const at = (offsetSeconds: number) =>
      verify(
        scheme,
        {
          headers: { "stripe-signature": stripeHeader(secret, FIXED_NOW_SECONDS + offsetSeconds) },
          rawBody: payload,
        },
        { now: fixedNow },
      );

    it("a tampered body", async () => {
      await expectRejected(
        verify(
          scheme,
          { headers: { "stripe-signature": stripeHeader(secret) }, rawBody: tamper(payload) },
          { now: fixedNow },
        ),
        "signature_mismatch",
      );
    });

    it("a body re-serialized from the parsed event (whitespace differs)", async () => {
      await expectRejected(
        verify(
          scheme,
          {
            headers: { "stripe-signature": stripeHeader(secret) },
            rawBody: JSON.stringify(JSON.parse(payload)),
          },
          { now: fixedNow },
        ),
        "signature_mismatch",
      );
    });

    it("a wrong secret", async () => {
      await expectRejected(
        verify(
          scheme,
          { headers: { "stripe-signature": stripeHeader(randomSecret("whsec_")) }, rawBody: payload },
          { now: fixedNow },
        ),
        "signature_mismatch",
      );
    });

    it("a timestamp older than the tolerance, while the edge of the window still passes", async () => {
      await expect(at(-DEFAULT_TOLERANCE)).resolves.toBeTruthy();
      await expectRejected(at(-DEFAULT_TOLERANCE - 1), "timestamp_too_old");
    });

    it("a timestamp further in the future than the tolerance", async () => {
      await expect(at(DEFAULT_TOLERANCE)).resolves.toBeTruthy();
      await expectRejected(at(DEFAULT_TOLERANCE + 1), "timestamp_in_future");
    });

    it("an old timestamp under a tighter tolerance", async () => {
      const header = stripeHeader(secret, FIXED_NOW_SECONDS - 61);
      await expectRejected(
        verify(
          scheme,
          { headers: { "stripe-signature": header }, rawBody: payload },
          { now: fixedNow, tolerance: 60 },
        ),
        "timestamp_too_old",
      );
    });
  });
});
