/**
 * Verify + parse throughput against the bare minimum a hand-written verifier must do
 * (createHmac over the same bytes + timingSafeEqual + JSON.parse), at 1 KiB and 256 KiB.
 * Run: pnpm bench bench/verify.bench.ts
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { schemes, verify } from "@hookgate/core";
import { bench, describe } from "vitest";

function payload(bytes: number): Buffer {
  const filler = "x".repeat(Math.max(0, bytes - 80));
  return Buffer.from(JSON.stringify({ id: "evt_1", type: "invoice.paid", data: { filler } }));
}

for (const size of [1024, 256 * 1024]) {
  const body = payload(size);
  const label = size >= 1024 * 1024 ? `${size / 1024 / 1024} MiB` : `${size / 1024} KiB`;

  describe(`stripe, ${label}`, async () => {
    const secret = "whsec_benchmark_secret";
    const scheme = schemes.stripe({ secret });
    const headers = await scheme.sign({ rawBody: body });
    const header = headers["stripe-signature"]!;
    const options = { tolerance: Number.POSITIVE_INFINITY };

    bench("bare createHmac + timingSafeEqual + JSON.parse", () => {
      const comma = header.indexOf(",");
      const t = header.slice(2, comma);
      const expected = Buffer.from(header.slice(comma + 4), "hex");
      const actual = createHmac("sha256", secret).update(`${t}.`).update(body).digest();
      if (!timingSafeEqual(actual, expected)) throw new Error("mismatch");
      JSON.parse(body.toString("utf8"));
    });

    bench("hookgate verify", async () => {
      await verify(scheme, { headers, rawBody: body }, options);
    });
  });

  describe(`standard webhooks, ${label}`, async () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const key = Buffer.from(secret.slice(6), "base64");
    const scheme = schemes.standardWebhooks({ secret });
    const headers = await scheme.sign({ rawBody: body, id: "msg_1" });
    const ts = headers["webhook-timestamp"]!;
    const options = { tolerance: Number.POSITIVE_INFINITY };

    bench("bare createHmac + timingSafeEqual + JSON.parse", () => {
      const expected = Buffer.from(headers["webhook-signature"]!.slice(3), "base64");
      const actual = createHmac("sha256", key).update(`msg_1.${ts}.`).update(body).digest();
      if (!timingSafeEqual(actual, expected)) throw new Error("mismatch");
      JSON.parse(body.toString("utf8"));
    });

    bench("hookgate verify", async () => {
      await verify(scheme, { headers, rawBody: body }, options);
    });
  });
}
