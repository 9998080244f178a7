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

  it("answers an unreadable body 406 (Mailgun stops retrying), per-request keys work, and it cannot sign", async () => {
    const scheme = mailgun({ secret: ({ params }) => (params.domain === "mg.example.com" ? KEY : []) });
    expect(scheme.responses).toMatchObject({ invalid_payload: 406 });
    const rawBody = JSON.stringify(body());
    await expect(
      verify(scheme, { headers: json, rawBody, params: { domain: "mg.example.com" } }),
    ).resolves.toBeDefined();
    await expect(
      verify(scheme, { headers: json, rawBody, params: { domain: "other" } }),
    ).rejects.toMatchObject({ code: "signature_mismatch" });
    await expect(scheme.sign({ rawBody })).rejects.toMatchObject({ code: "invalid_option" });
  });
});
