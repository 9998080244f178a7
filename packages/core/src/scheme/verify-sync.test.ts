import { describe, expect, it } from "vitest";
import { forceWebCrypto } from "../internal/crypto.js";
import { schemes } from "../schemes/index.js";

// `scheme.verifySync` where it cannot apply: a set-up error (`invalid_option`) whatever the
// request, never a verdict on it. Where it applies, test/property/verify-sync.property.test.ts
// checks it against `verify` for every scheme.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const rawBody = JSON.stringify({ type: "thing.happened", id: "evt_1" });

describe("scheme.verifySync", () => {
  it("returns the delivery verify resolves to, with no promise", async () => {
    const scheme = schemes.standardWebhooks({ secret: SECRET });
    const headers = await scheme.sign({ rawBody, id: "msg_1" });
    const delivery = scheme.verifySync({ headers, rawBody });
    expect(delivery).not.toBeInstanceOf(Promise);
    expect(delivery.id).toBe("msg_1");
    expect(delivery.payload).toEqual(await scheme.verify({ headers, rawBody }).then((d) => d.payload));
  });

  it("throws the code verify rejects with", async () => {
    const scheme = schemes.standardWebhooks({ secret: SECRET });
    const headers = await scheme.sign({ rawBody, id: "msg_1" });
    const tampered = { headers, rawBody: rawBody.replace("evt_1", "evt_2") };
    await expect(scheme.verify(tampered)).rejects.toMatchObject({ code: "signature_mismatch" });
    expect(() => scheme.verifySync(tampered)).toThrow(
      expect.objectContaining({ code: "signature_mismatch" }),
    );
    const stale = { tolerance: 300, now: new Date(Date.now() + 3_600_000) };
    expect(() => scheme.verifySync({ headers, rawBody }, stale)).toThrow(
      expect.objectContaining({ code: "timestamp_too_old" }),
    );
  });

  it("refuses with invalid_option where the secrets come from a function", async () => {
    const scheme = schemes.standardWebhooks({ secret: () => SECRET });
    const headers = await schemes.standardWebhooks({ secret: SECRET }).sign({ rawBody, id: "msg_1" });
    await expect(scheme.verify({ headers, rawBody })).resolves.toMatchObject({ id: "msg_1" });
    expect(() => scheme.verifySync({ headers, rawBody })).toThrow(
      expect.objectContaining({ code: "invalid_option", message: expect.stringMatching(/function/) }),
    );
    // Whatever the request: a malformed one gets the set-up error too, not a verdict.
    expect(() => scheme.verifySync({ headers: {}, rawBody })).toThrow(
      expect.objectContaining({ code: "invalid_option" }),
    );
  });

  it("refuses with invalid_option where only Web Crypto is present", async () => {
    const scheme = schemes.standardWebhooks({ secret: SECRET });
    const headers = await scheme.sign({ rawBody, id: "msg_1" });
    forceWebCrypto(true);
    try {
      expect(() => scheme.verifySync({ headers, rawBody })).toThrow(
        expect.objectContaining({ code: "invalid_option", message: expect.stringMatching(/Web Crypto/) }),
      );
      await expect(scheme.verify({ headers, rawBody })).resolves.toMatchObject({ id: "msg_1" });
    } finally {
      forceWebCrypto(false);
    }
    expect(scheme.verifySync({ headers, rawBody }).id).toBe("msg_1");
  });

  it("refuses with invalid_option where the key is a certificate fetched per message (AWS SNS)", () => {
    const scheme = schemes.awsSns({ topicArn: "arn:aws:sns:us-east-1:123456789012:topic" });
    expect(() => scheme.verifySync({ headers: {}, rawBody: "{}" })).toThrow(
      expect.objectContaining({ code: "invalid_option", message: expect.stringMatching(/certificate/) }),
    );
  });
});
