import { describe, expect, it } from "vitest";
import { resolveSchemeKey, schemeForSecret, schemeNames, schemeNeedsOptions } from "./by-name.js";
import { schemes } from "./index.js";

describe("schemes by name", () => {
  it("schemeNames is every key of schemes, as scheme.name spells it", () => {
    expect(schemeNames).toHaveLength(Object.keys(schemes).length);
    for (const name of schemeNames) expect(resolveSchemeKey(name), name).toBeDefined();
    expect(schemeNames).toEqual(expect.arrayContaining(["aws-sns", "mailgun", "hmac", "standard-webhooks"]));
  });

  it("mailgun is built from its signing key alone; aws-sns and hmac say what else they need", async () => {
    const mailgun = schemeForSecret("mailgun", "key-mg");
    const signed = await mailgun.signRequest({ rawBody: "{}" });
    await expect(mailgun.verify({ headers: signed.headers, rawBody: signed.rawBody })).resolves.toBeDefined();
    expect(schemeNeedsOptions("mailgun")).toEqual([]);
    expect(schemeNeedsOptions("awsSns")).toEqual(["topicArn", "certificateUrl"]);
    expect(schemeNeedsOptions("hmac")).toEqual(["header"]);
    expect(() => schemeForSecret("aws-sns", "pem", { topicArn: "arn:aws:sns:us-east-1:1:t" })).toThrow(
      /aws-sns is configured by more than a secret: it also needs certificateUrl/,
    );
    expect(() => schemeForSecret("hmac", "s")).toThrow(
      /hmac is configured by more than a secret: it also needs header/,
    );
    const hmac = schemeForSecret("hmac", "s", { header: "X-Sig", prefix: "sha256=" });
    const headers = await hmac.sign!({ rawBody: "{}" });
    expect(headers["x-sig"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(() => schemeForSecret("acme", "s")).toThrow(
      /no built-in scheme named "acme"; use one of .*aws-sns/,
    );
  });
});
