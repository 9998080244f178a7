import { createHmac } from "node:crypto";
import {
  type ChallengeRequest,
  cachedSecrets,
  createReceiver,
  type SecretRequest,
  schemes,
} from "@hookgate/core";
import { fixtures, signedFixture } from "@hookgate/testing";
import { afterEach, describe, expect, it } from "vitest";
import { codeOf, type Running, serve } from "./support.js";

// Handshakes answered before verification: Asana's X-Hook-Secret establishes a secret (hole 1),
// Zoom's url_validation is verified with a per-tenant secret (hole 21). Both need the route's
// params, so they run over real HTTP on Express and Hono, which match `/…/:param`.

const httpRoutes = ["express", "hono"] as const;
const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function asanaDelivery(secret: string) {
  const first = Object.keys(fixtures.asana)[0] as keyof typeof fixtures.asana;
  const signed = await signedFixture(schemes.asana({ secret }), fixtures.asana[first]());
  return { headers: signed.headers, body: signed.body };
}

const handshake = (secret: string) => ({
  headers: { "x-hook-secret": secret, "content-type": "application/json" },
  body: "",
});

describe.each(httpRoutes)(
  "issue 18 hole 1 over %s: a handshake establishes a secret, never replaces one",
  (route) => {
    it("issue 18 hole 1: an unsigned X-Hook-Secret handshake cannot replace an established webhook secret", async () => {
      // The documented pattern: one secret per webhook, kept by the route's webhook id.
      const stored = new Map<string, string>();
      const calls: string[] = [];
      let ran = 0;
      const receiver = createReceiver({
        scheme: schemes.asana({
          secret: ({ params }: SecretRequest) => stored.get(params.webhook ?? "") ?? [],
          onHookSecret: (secret: string, request: ChallengeRequest) => {
            calls.push(secret);
            stored.set(request.params?.webhook ?? "", secret);
          },
        }),
      }).onAny(() => {
        ran++;
      });
      const server = await serve(route, receiver, "/webhooks/asana/:webhook");
      running.push(server);
      const path = "/webhooks/asana/1201";

      // Asana's genuine handshake, while the webhook is being created: established.
      const genuine = await server.send({ path, ...handshake("genuine_secret_1201") });
      expect(genuine.status).toBe(200);
      expect(genuine.headers["x-hook-secret"]).toBe("genuine_secret_1201");
      expect(stored.get("1201")).toBe("genuine_secret_1201");

      // Anyone who knows the URL sends their own handshake: refused, the callback never runs.
      const hostile = await server.send({ path, ...handshake("attacker_secret") });
      expect(hostile.status).toBe(403);
      expect(codeOf(hostile)).toBe("handshake_refused");
      expect(hostile.headers["x-hook-secret"]).toBeUndefined();
      expect(hostile.body).not.toContain("attacker_secret");
      expect(hostile.body).not.toContain("genuine_secret_1201");
      expect(calls).toEqual(["genuine_secret_1201"]);
      expect(stored.get("1201")).toBe("genuine_secret_1201");

      // So a delivery the attacker signs is refused, and Asana's own still verifies.
      const forged = await server.send({ path, ...(await asanaDelivery("attacker_secret")) });
      expect(forged.status).toBe(401);
      const real = await server.send({ path, ...(await asanaDelivery("genuine_secret_1201")) });
      expect(real.status).toBe(200);
      expect(ran).toBe(1);

      // Another webhook (no secret yet) can still be set up.
      const other = await server.send({ path: "/webhooks/asana/1202", ...handshake("genuine_secret_1202") });
      expect(other.status).toBe(200);
      expect(stored.get("1202")).toBe("genuine_secret_1202");
    });

    it("issue 18 hole 1: a cached secret function is asked afresh, so a cached 'none yet' cannot let a second handshake in", async () => {
      const stored = new Map<string, string>();
      let lookups = 0;
      const receiver = createReceiver({
        scheme: schemes.asana({
          // The recommended wrapper: a 60 s cache in front of the database.
          secret: cachedSecrets(({ params }) => {
            lookups++;
            return stored.get(params.webhook ?? "") ?? [];
          }),
          onHookSecret: (secret, request) => void stored.set(request.params?.webhook ?? "", secret),
        }),
      }).onAny(() => {});
      const server = await serve(route, receiver, "/webhooks/asana/:webhook");
      running.push(server);
      const path = "/webhooks/asana/1301";
      // A request before the handshake caches "no secret" for this webhook.
      expect((await server.send({ path, ...(await asanaDelivery("anything")) })).status).toBe(401);
      expect((await server.send({ path, ...handshake("genuine_secret_1301") })).status).toBe(200);
      const hostile = await server.send({ path, ...handshake("attacker_secret") });
      expect(hostile.status).toBe(403);
      expect(stored.get("1301")).toBe("genuine_secret_1301");
      // And the genuine secret is used at once, not after the cache expires.
      expect((await server.send({ path, ...(await asanaDelivery("genuine_secret_1301")) })).status).toBe(200);
      expect(lookups).toBeGreaterThanOrEqual(3);
    });

    it("issue 18 hole 1: with static secrets configured, a secret is established, so every handshake is refused", async () => {
      const calls: string[] = [];
      const receiver = createReceiver({
        scheme: schemes.asana({
          secret: "configured_secret",
          onHookSecret: (secret) => void calls.push(secret),
        }),
      });
      const server = await serve(route, receiver, "/webhooks/asana/:webhook");
      running.push(server);
      const answer = await server.send({ path: "/webhooks/asana/1201", ...handshake("attacker_secret") });
      expect(answer.status).toBe(403);
      expect(codeOf(answer)).toBe("handshake_refused");
      expect(calls).toEqual([]);
    });
  },
);

describe.each(httpRoutes)(
  "issue 18 hole 21 over %s: Zoom's url_validation sees the route params",
  (route) => {
    it("issue 18 hole 21: a per-tenant Zoom url_validation is verified with that tenant's secret and answered", async () => {
      const tenants: Record<string, string> = { acme: "zoom_secret_acme", globex: "zoom_secret_globex" };
      let ran = 0;
      const receiver = createReceiver({
        scheme: schemes.zoom({ secret: ({ params }: SecretRequest) => tenants[params.tenant ?? ""] ?? [] }),
      }).onAny(() => {
        ran++;
      });
      const server = await serve(route, receiver, "/webhooks/zoom/:tenant");
      running.push(server);
      for (const tenant of ["acme", "globex"]) {
        const secret = tenants[tenant]!;
        const rawBody = JSON.stringify({
          event: "endpoint.url_validation",
          payload: { plainToken: `plain-${tenant}` },
          event_ts: Date.now(),
        });
        const headers = await schemes.zoom({ secret }).sign({ rawBody });
        const answer = await server.send({ path: `/webhooks/zoom/${tenant}`, headers, body: rawBody });
        expect(answer.status).toBe(200);
        expect(JSON.parse(answer.body)).toEqual({
          plainToken: `plain-${tenant}`,
          encryptedToken: createHmac("sha256", secret).update(`plain-${tenant}`).digest("hex"),
        });
      }
      // Signed for acme, posted to globex: refused.
      const rawBody = JSON.stringify({ event: "endpoint.url_validation", payload: { plainToken: "x" } });
      const headers = await schemes.zoom({ secret: tenants.acme! }).sign({ rawBody });
      const crossed = await server.send({ path: "/webhooks/zoom/globex", headers, body: rawBody });
      expect(crossed.status).toBe(401);
      expect(ran).toBe(0);
    });
  },
);
