/**
 * The traffic both soaks send (bench/soak.ts, bench/soak-redis-bullmq.ts): new valid Stripe and
 * GitHub deliveries, copies of them, and hostile requests. Signed with the schemes' own signers.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type * as Core from "@hookgate/core";
import { type Delivery, pick } from "./soak-report.js";

/** A body over the receivers' 1 MiB `maxBodyBytes`: the server may reset the connection. */
export const OVERSIZED = "body over maxBodyBytes";

/**
 * What a kind of traffic is: `valid` a new genuine delivery (`twice` sends it twice at once),
 * `copy` an already acknowledged delivery sent again (it passes verification and is a duplicate),
 * `hostile` a client mistake or an attack, refused before the store.
 */
export type TrafficClass = "valid" | "twice" | "copy" | "hostile";

export type TrafficKind = readonly [
  name: string,
  weight: number,
  make: () => Promise<Delivery | undefined>,
  kind: TrafficClass,
];

export interface Traffic {
  kinds: readonly TrafficKind[];
  /** A kind picked by weight. */
  choose(): TrafficKind;
  /** Keeps an acknowledged valid delivery, to be sent again as a duplicate or a replay. */
  remember(delivery: Delivery): void;
}

export function soakTraffic(
  core: typeof Core,
  secrets: { stripe: string; github: string },
  /** Tells apart the ids of several senders. */
  tag: string = String(process.pid),
): Traffic {
  const stripe = core.schemes.stripe({ secret: secrets.stripe });
  const github = core.schemes.github({ secret: secrets.github });
  const wrong = core.schemes.stripe({ secret: "whsec_not_the_endpoint_secret" });
  // Recently acknowledged deliveries, replayed as duplicates (recent, so the store still holds them).
  const recent: Delivery[] = [];
  let sequence = 0;

  const stripeEvent = async (
    options: { timestamp?: Date; signer?: Core.Scheme; mutate?: (body: string) => string } = {},
  ): Promise<Delivery> => {
    const id = `evt_soak_${tag}_${++sequence}`;
    const body = JSON.stringify({
      id,
      object: "event",
      type: "invoice.paid",
      data: { object: { id: `in_${sequence}`, amount_paid: 4200 } },
    });
    const headers = await (options.signer ?? stripe).sign!({ rawBody: body, timestamp: options.timestamp });
    return {
      path: "/webhooks/stripe",
      headers,
      body: options.mutate ? options.mutate(body) : body,
      key: `stripe:${id}`,
    };
  };
  const githubEvent = async (): Promise<Delivery> => {
    const id = `gh_soak_${tag}_${++sequence}`;
    const body = JSON.stringify({
      action: "opened",
      issue: { number: sequence },
      repository: { full_name: "acme/soak" },
    });
    const headers = {
      ...(await github.sign({ rawBody: body, id, type: "issues" })),
      "content-type": "application/json",
    };
    return { path: "/webhooks/github", headers, body, key: `github:${id}` };
  };

  const kinds: TrafficKind[] = [
    ["valid stripe", 25, () => stripeEvent(), "valid"],
    ["valid github", 10, () => githubEvent(), "valid"],
    ["valid stripe, sent twice at once", 5, () => stripeEvent(), "twice"],
    ["duplicate (same request)", 15, async () => (recent.length ? pick(recent) : undefined), "copy"],
    [
      "github replay under a fresh X-GitHub-Delivery",
      5,
      async () => {
        const gh = recent.filter((d) => d.path === "/webhooks/github");
        if (gh.length === 0) return undefined;
        const original = pick(gh);
        return { ...original, headers: { ...original.headers, "x-github-delivery": randomUUID() } };
      },
      "copy",
    ],
    ["tampered body", 8, () => stripeEvent({ mutate: (body) => body.replace("4200", "1") }), "hostile"],
    ["wrong secret", 6, () => stripeEvent({ signer: wrong }), "hostile"],
    [
      "stale timestamp (1 h old)",
      5,
      () => stripeEvent({ timestamp: new Date(Date.now() - 3_600_000) }),
      "hostile",
    ],
    [
      "missing signature",
      5,
      async () => {
        const d = await stripeEvent();
        return { ...d, headers: { "content-type": "application/json" } };
      },
      "hostile",
    ],
    [
      "malformed signature",
      4,
      async () => {
        const d = await stripeEvent();
        return {
          ...d,
          headers: {
            ...d.headers,
            "stripe-signature": `t=${Math.floor(Date.now() / 1000)},v1=zz${randomBytes(8).toString("hex")}`,
          },
        };
      },
      "hostile",
    ],
    [
      "11 signature candidates",
      4,
      async () => {
        const d = await stripeEvent();
        const junk = Array.from({ length: 10 }, () => `v1=${randomBytes(32).toString("hex")}`).join(",");
        return {
          ...d,
          headers: { ...d.headers, "stripe-signature": `${d.headers["stripe-signature"]},${junk}` },
        };
      },
      "hostile",
    ],
    [
      "form content type",
      3,
      async () => {
        const d = await stripeEvent();
        return { ...d, headers: { ...d.headers, "content-type": "application/x-www-form-urlencoded" } };
      },
      "hostile",
    ],
    [
      "garbage bytes",
      4,
      async () => ({
        path: "/webhooks/stripe",
        headers: {
          "content-type": "application/json",
          "stripe-signature": `t=${Math.floor(Date.now() / 1000)},v1=${randomBytes(32).toString("hex")}`,
        },
        body: randomBytes(64),
        key: "",
      }),
      "hostile",
    ],
    [
      "signed, not JSON",
      2,
      async () => {
        const body = "{not json";
        return { path: "/webhooks/stripe", headers: await stripe.sign({ rawBody: body }), body, key: "" };
      },
      "hostile",
    ],
    [
      "headers too large",
      2,
      async () => {
        const d = await stripeEvent();
        return { ...d, headers: { ...d.headers, "x-padding": "p".repeat(20_000) } };
      },
      "hostile",
    ],
    [
      OVERSIZED,
      1,
      async () => {
        const d = await stripeEvent();
        return { ...d, body: `{"pad":"${"x".repeat(1_100_000)}"}` };
      },
      "hostile",
    ],
  ];
  const total = kinds.reduce((sum, [, weight]) => sum + weight, 0);
  return {
    kinds,
    choose() {
      let roll = Math.random() * total;
      for (const kind of kinds) if ((roll -= kind[1]) < 0) return kind;
      return kinds[0]!;
    },
    remember(delivery) {
      recent.push(delivery);
      if (recent.length > 500) recent.shift();
    },
  };
}
