import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forceWebCrypto } from "../internal/crypto.js";
import { verify } from "../verify.js";
import { mailgun } from "./mailgun.js";

const KEY = "key-7c1b5b1e0d4a4f2f9d1c3b2a1e0f9d8c";
const now = () => String(Math.floor(Date.now() / 1000));
function body(key = KEY, timestamp = now(), token = "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0") {
  const signature = createHmac("sha256", key)
    .update(timestamp + token)
    .digest("hex");
  return {
    signature: { timestamp, token, signature },
    "event-data": {
      event: "delivered",
      id: "CPgfbmQMTCKtHW6uIWtuVe",
      timestamp: Number(timestamp),
      recipient: "ada@example.com",
    },
  };
}
const json = { "content-type": "application/json" };

describe.each([
  ["node:crypto", false],
  ["Web Crypto", true],
])("mailgun with %s", (_backend, web) => {
  beforeAll(() => forceWebCrypto(web));
  afterAll(() => forceWebCrypto(false));

  it("verifies the documented HMAC of timestamp + token in a JSON body, keyed by the token", async () => {
    const scheme = mailgun({ secret: ["old-key", KEY] });
    const delivery = await verify(scheme, { headers: json, rawBody: JSON.stringify(body()) });
    expect(delivery).toMatchObject({
      id: "a8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0",
      type: "delivered",
      matchedSecret: { index: 1 },
    });
  });

  it("refuses a parsed body as raw_body_required, with the body-parser hint", async () => {
    const scheme = mailgun({ secret: KEY });
    const parsed = verify(scheme, { headers: json, rawBody: body() as never });
    await expect(parsed).rejects.toMatchObject({ code: "raw_body_required", status: 500 });
    await expect(parsed).rejects.toThrow(/express\.json\(\)/);
  });

  it("verifies form-encoded webhooks with top-level fields", async () => {
    const { signature } = body();
    const rawBody = new URLSearchParams({
      ...signature,
      event: "opened",
      recipient: "ada@example.com",
    }).toString();
    const delivery = await verify(mailgun({ secret: KEY }), {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      rawBody,
    });
    expect(delivery).toMatchObject({ type: "opened" });
  });

  it("issue 18 hole 2: a form with more fields than any Mailgun webhook is refused before its signature is read", async () => {
    const rawBody = `${"a=1&".repeat(15_000)}timestamp=1&token=t&signature=${"0".repeat(64)}`;
    await expect(
      verify(mailgun({ secret: KEY }), {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        rawBody,
      }),
    ).rejects.toMatchObject({
      code: "invalid_payload",
      message: expect.stringMatching(/more than 1000 fields/),
    });
  });

  it("issue 18 hole 3: the body's bytes, not its Content-Type, decide JSON or form", async () => {
    const scheme = mailgun({ secret: KEY });
    const rawBody = JSON.stringify(body());
    for (const contentType of ["application/x-www-form-urlencoded", "text/plain", undefined]) {
      const headers: Record<string, string> = contentType ? { "content-type": contentType } : {};
      await expect(verify(scheme, { headers, rawBody })).resolves.toMatchObject({
        type: "delivered",
        payload: JSON.parse(rawBody),
      });
    }
    const { signature } = body();
    const form = new URLSearchParams({ ...signature, event: "opened" }).toString();
    await expect(verify(scheme, { headers: json, rawBody: form })).resolves.toMatchObject({ type: "opened" });
  });

  it("refuses a wrong key, a changed token, a stale timestamp and a body without a signature", async () => {
    const scheme = mailgun({ secret: KEY });
    const expectCode = (payload: unknown, code: string) =>
      expect(verify(scheme, { headers: json, rawBody: JSON.stringify(payload) })).rejects.toMatchObject({
        code,
      });
    await expectCode(body("another-key"), "signature_mismatch");
    const changed = body();
    changed.signature.token = "b8ce0edb2dd8301dee6c2405235584e45aa91d1e9f979f3de0";
    await expectCode(changed, "signature_mismatch");
    await expectCode(body(KEY, String(Math.floor(Date.now() / 1000) - 3600)), "timestamp_too_old");
    await expectCode({ "event-data": { event: "delivered" } }, "missing_signature");
  });

  it("answers an unreadable body 406 (Mailgun stops retrying), per-request keys work, and it has no header sign", async () => {
    const scheme = mailgun({ secret: ({ params }) => (params.domain === "mg.example.com" ? KEY : []) });
    expect(scheme.responses).toMatchObject({ invalid_payload: 406 });
    const rawBody = JSON.stringify(body());
    await expect(
      verify(scheme, { headers: json, rawBody, params: { domain: "mg.example.com" } }),
    ).resolves.toBeDefined();
    await expect(
      verify(scheme, { headers: json, rawBody, params: { domain: "other" } }),
    ).rejects.toMatchObject({ code: "signature_mismatch" });
    // The signature travels in the body: there are no headers to return, so `sign` is absent.
    expect(scheme.sign).toBeUndefined();
  });

  it("signRequest writes the signature into a JSON body, first, keeping the event's bytes", async () => {
    const scheme = mailgun({ secret: KEY });
    const event = '{ "event-data": {"event":"delivered","recipient":"ada@example.com"} }';
    const timestamp = new Date(1_770_920_772_000);
    const signed = await scheme.signRequest({ rawBody: event, id: "tok-1", timestamp });
    const text = new TextDecoder().decode(signed.rawBody);
    const expected = createHmac("sha256", KEY).update("1770920772tok-1").digest("hex");
    expect(JSON.parse(text)).toEqual({
      signature: { timestamp: "1770920772", token: "tok-1", signature: expected },
      "event-data": { event: "delivered", recipient: "ada@example.com" },
    });
    expect(text.startsWith('{"signature":')).toBe(true);
    expect(text).toContain('"event-data": {"event":"delivered","recipient":"ada@example.com"} }');
    expect(signed.headers).toEqual({ "content-type": "application/json" });
    const delivery = await verify(
      scheme,
      { headers: signed.headers, rawBody: signed.rawBody },
      { now: timestamp },
    );
    expect(delivery).toMatchObject({ id: "tok-1", type: "delivered", timestamp });
  });

  it("signRequest replaces a signature already in the body, and makes a 50-hex token without an id", async () => {
    const scheme = mailgun({ secret: KEY });
    const signed = await scheme.signRequest({ rawBody: JSON.stringify(body("other-key")) });
    const payload = JSON.parse(new TextDecoder().decode(signed.rawBody)) as ReturnType<typeof body>;
    expect(payload.signature.token).toMatch(/^[0-9a-f]{50}$/);
    expect(Object.keys(payload)).toEqual(["signature", "event-data"]);
    await expect(verify(scheme, { headers: signed.headers, rawBody: signed.rawBody })).resolves.toMatchObject(
      {
        id: payload.signature.token,
      },
    );
  });

  it("signRequest appends timestamp, token and signature to a form body", async () => {
    const scheme = mailgun({ secret: KEY });
    const form = "event=opened&recipient=ada%40example.com";
    const signed = await scheme.signRequest({ rawBody: form, id: "tok-2" });
    expect(signed.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    const fields = new URLSearchParams(new TextDecoder().decode(signed.rawBody));
    expect([...fields.keys()]).toEqual(["event", "recipient", "timestamp", "token", "signature"]);
    expect(fields.get("signature")).toBe(
      createHmac("sha256", KEY)
        .update(`${fields.get("timestamp")}tok-2`)
        .digest("hex"),
    );
    await expect(verify(scheme, { headers: signed.headers, rawBody: signed.rawBody })).resolves.toMatchObject(
      {
        id: "tok-2",
        type: "opened",
      },
    );
  });

  it("signRequest with another key is refused by the configured one; per-request keys sign by url", async () => {
    const scheme = mailgun({ secret: KEY });
    const forged = await scheme.withSigningKey("not-the-key").signRequest({ rawBody: "{}" });
    await expect(verify(scheme, { headers: forged.headers, rawBody: forged.rawBody })).rejects.toMatchObject({
      code: "signature_mismatch",
    });
    const perUrl = mailgun({ secret: ({ url }) => (url?.endsWith("/mg") ? KEY : []) });
    const signed = await perUrl.signRequest({ rawBody: "{}", url: "https://example.com/mg" });
    await expect(
      verify(mailgun({ secret: KEY }), { headers: signed.headers, rawBody: signed.rawBody }),
    ).resolves.toBeDefined();
    await expect(perUrl.signRequest({ rawBody: "{}", url: "https://example.com/x" })).rejects.toMatchObject({
      code: "invalid_secret",
    });
    await expect(
      scheme.signRequest({ rawBody: "[1]", contentType: "application/json" }),
    ).rejects.toMatchObject({
      code: "invalid_payload",
    });
  });
});
