import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";

/** The Standard Webhooks secret both ends of the HTTP benchmark share. */
export const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
/** The GitHub and Stripe secrets, for the peer comparisons. */
export const GITHUB_SECRET = "bench-github-secret";
export const STRIPE_SECRET = "whsec_bench_stripe_secret";

/**
 * Where a GitHub body says which delivery it is, rewritten per request to the same length: GitHub's
 * delivery id header is unsigned, so hookgate tells deliveries apart by their signed content, and
 * one body sent under many ids is one delivery (a duplicate after the first).
 */
const GITHUB_DELIVERY = "00000000-000000000";

/** Which provider's deliveries a run sends: each peer verifies its own provider's format. */
export type Provider = "standard-webhooks" | "github" | "stripe";
export const PROVIDERS: readonly Provider[] = ["standard-webhooks", "github", "stripe"];

/** The provider `PROVIDER` names (`github`, `stripe`), for the peers made for it; Standard Webhooks by default. */
export function providerFromEnv(): Provider {
  const named = process.env.PROVIDER ?? "standard-webhooks";
  if (!(PROVIDERS as readonly string[]).includes(named))
    throw new Error(`PROVIDER must be one of ${PROVIDERS.join(", ")}, got ${named}`);
  return named as Provider;
}

/**
 * Throws where a server that answers every new delivery 202 (handed to a queue: `queued`,
 * `same-job`) answered 200, a duplicate: the load sent deliveries the server had already seen,
 * and the run would time the wrong path. `answered200` is how many 200s it gave.
 */
export function checkNewDeliveries(label: string, mode: string, answered200: number | undefined): void {
  if ((mode === "queued" || mode === "same-job") && answered200)
    throw new Error(
      `${label} ${mode} answered ${answered200} deliveries as duplicates; every request must be a new delivery`,
    );
}

/** A JSON body of `bytes` bytes, shaped like the provider's events (an `id` and `type` where it has them). */
export function payload(bytes: number, provider: Provider = "standard-webhooks"): string {
  const base: Record<string, unknown> =
    provider === "github"
      ? { action: "opened", delivery: GITHUB_DELIVERY, issue: { number: 1, filler: "" } }
      : provider === "stripe"
        ? {
            id: "evt_bench",
            object: "event",
            type: "invoice.paid",
            created: 1,
            data: { object: { filler: "" } },
          }
        : { type: "invoice.paid", data: { filler: "" } };
  const filler = (value: Record<string, unknown>): Record<string, unknown> =>
    (value.issue ?? (value.data as Record<string, unknown>).object ?? value.data) as Record<string, unknown>;
  const target = provider === "github" ? (base.issue as Record<string, unknown>) : filler(base);
  target.filler = "x".repeat(Math.max(0, bytes - JSON.stringify(base).length));
  return JSON.stringify(base);
}

/**
 * Signed headers for `body` under a fresh delivery id each call, so every request is a new
 * delivery (the receiver claims a new key each time). Stripe's id is in the body, and GitHub's
 * deliveries are told apart by their body, so their signers return a new body too.
 */
export function signer(
  body: string,
  provider: Provider = "standard-webhooks",
): () => { headers: Record<string, string>; body: string } {
  const run = randomUUID().slice(0, 8);
  let n = 0;
  const ts = String(Math.floor(Date.now() / 1000));
  if (provider === "github") {
    return () => {
      const delivery = `${run}-${String(n++).padStart(9, "0")}`;
      const fresh = body.replace(`"delivery":"${GITHUB_DELIVERY}"`, `"delivery":"${delivery}"`);
      const signature = createHmac("sha256", GITHUB_SECRET).update(fresh).digest("hex");
      return {
        body: fresh,
        headers: {
          "content-type": "application/json",
          "x-github-delivery": delivery,
          "x-github-event": "issues",
          "x-hub-signature-256": `sha256=${signature}`,
        },
      };
    };
  }
  if (provider === "stripe") {
    return () => {
      // A new event id in the same number of bytes.
      const fresh = body.replace('"evt_bench"', `"evt_${run}_${String(n++).padStart(9, "0")}"`);
      const signature = createHmac("sha256", STRIPE_SECRET).update(`${ts}.${fresh}`).digest("hex");
      return {
        body: fresh,
        headers: { "content-type": "application/json", "stripe-signature": `t=${ts},v1=${signature}` },
      };
    };
  }
  const key = Buffer.from(SECRET.slice(6), "base64");
  return () => {
    const id = `msg_${run}_${n++}`;
    const signature = createHmac("sha256", key).update(`${id}.${ts}.`).update(body).digest("base64");
    return {
      body,
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": ts,
        "webhook-signature": `v1,${signature}`,
      },
    };
  };
}

/**
 * The limit the in-process harnesses compare against: each Standard Webhooks request's bare HMAC
 * and `JSON.parse`, nothing else. Returns a sum of the payloads' key counts (so no step is skipped).
 */
export function bareVerifyAndParse(
  requests: ReadonlyArray<{ headers: Record<string, string>; rawBody: Buffer }>,
): number {
  const key = Buffer.from(SECRET.slice(6), "base64");
  let sink = 0;
  for (const { headers, rawBody } of requests) {
    const id = headers["webhook-id"]!;
    const actual = createHmac("sha256", key)
      .update(`${id}.${headers["webhook-timestamp"]}.`)
      .update(rawBody)
      .digest();
    if (!timingSafeEqual(actual, Buffer.from(headers["webhook-signature"]!.slice(3), "base64")))
      throw new Error("bench: a prepared request does not verify");
    sink += Object.keys(JSON.parse(rawBody.toString("utf8"))).length;
  }
  return sink;
}
