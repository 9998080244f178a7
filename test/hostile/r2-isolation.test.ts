import {
  cachedSecrets,
  createReceiver,
  type IdempotencyStore,
  memoryStore,
  type Scheme,
  type SecretRequest,
  schemes,
} from "@hookgate/core";
import { afterEach, describe, expect, it } from "vitest";
import { codeOf, freshId, type Route, type Running, serve } from "./support.js";

// Issue 18, holes 4, 5 and 11: dedupe keys never cross tenants or receivers, by default, and
// survive secret rotation. Every delivery here travels over real HTTP (Express and Hono).

const http: readonly Route[] = ["express", "hono"];
const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});

async function start(route: Route, scheme: Scheme, store: IdempotencyStore, mount = "/webhooks/:tenant") {
  const receiver = createReceiver({ scheme, store });
  const runs: string[] = [];
  receiver.onAny((event) => void runs.push(`${event.id}`));
  const app = await serve(route, receiver, mount);
  running.push(app);
  return { app, runs };
}

async function post(app: Running, path: string, scheme: Scheme, body: string, id?: string) {
  const signed = await scheme.signRequest({ rawBody: body, id, type: "ping" });
  return app.send({ path, headers: signed.headers, body: signed.rawBody });
}

const TENANT_SECRETS: Record<string, string> = {
  a: "whsec_dGVuYW50LWEtc2VjcmV0LWtleS0xMjM0NTY3ODk=",
  b: "whsec_dGVuYW50LWItc2VjcmV0LWtleS05ODc2NTQzMjE=",
};

describe("issue 18 hole 4: one tenant cannot pre-claim another tenant's ids", () => {
  for (const route of http) {
    it(`issue 18 hole 4: tenant A's delivery under tenant B's webhook-id does not swallow B's (${route})`, async () => {
      const perTenant = schemes.standardWebhooks({
        secret: ({ params }: SecretRequest) => TENANT_SECRETS[params.tenant ?? ""] ?? [],
      });
      const { app, runs } = await start(route, perTenant, memoryStore());
      const signedBy = (tenant: string) => schemes.standardWebhooks({ secret: TENANT_SECRETS[tenant]! });
      const id = `msg_${freshId()}`;
      // Tenant A, hostile, signs with its own secret an id it expects B to receive.
      const planted = await post(app, "/webhooks/a", signedBy("a"), JSON.stringify({ type: "x" }), id);
      expect(planted.status).toBe(200);
      const genuine = await post(app, "/webhooks/b", signedBy("b"), JSON.stringify({ type: "y" }), id);
      expect(genuine.status).toBe(200);
      expect(JSON.parse(genuine.body).status).toBe("handled");
      expect(runs).toEqual([id, id]);
    });

    it(`issue 18 hole 4: Telegram's sequential update_id from one bot tenant never blocks another's (${route})`, async () => {
      const tokens: Record<string, string> = { a: "tenant-a-telegram-token", b: "tenant-b-telegram-token" };
      const perTenant = schemes.telegram({ secret: ({ params }) => tokens[params.tenant ?? ""] ?? [] });
      const { app, runs } = await start(route, perTenant, memoryStore());
      const body = JSON.stringify({ update_id: 1000, message: { text: "hi" } });
      for (const tenant of ["a", "b"]) {
        const answer = await post(
          app,
          `/webhooks/${tenant}`,
          schemes.telegram({ secret: tokens[tenant]! }),
          body,
        );
        expect(JSON.parse(answer.body).status).toBe("handled");
      }
      expect(runs).toEqual(["1000", "1000"]);
    });
  }
});

describe("issue 18 hole 5: receivers sharing a store keep their deliveries apart", () => {
  for (const route of http) {
    it(`issue 18 hole 5: two Telegram bots on one store both run update_id 7 (${route})`, async () => {
      const store = memoryStore();
      const one = await start(
        route,
        schemes.telegram({ secret: "bot-one-secret-token" }),
        store,
        "/webhooks",
      );
      const two = await start(
        route,
        schemes.telegram({ secret: "bot-two-secret-token" }),
        store,
        "/webhooks",
      );
      const body = JSON.stringify({ update_id: 7, message: { text: "hi" } });
      const first = await post(
        one.app,
        "/webhooks",
        schemes.telegram({ secret: "bot-one-secret-token" }),
        body,
      );
      const second = await post(
        two.app,
        "/webhooks",
        schemes.telegram({ secret: "bot-two-secret-token" }),
        body,
      );
      expect([JSON.parse(first.body).status, JSON.parse(second.body).status]).toEqual(["handled", "handled"]);
      expect([one.runs.length, two.runs.length]).toEqual([1, 1]);
    });

    it(`issue 18 hole 5: two schemes.hmac partners on one store both run id 42 (${route})`, async () => {
      const store = memoryStore();
      const partner = (secret: string) =>
        schemes.hmac({ secret, header: "x-signature", id: { header: "x-id" }, content: "{id}.{body}" });
      const one = await start(route, partner("partner-one-secret"), store, "/webhooks");
      const two = await start(route, partner("partner-two-secret"), store, "/webhooks");
      for (const [app, secret] of [
        [one.app, "partner-one-secret"],
        [two.app, "partner-two-secret"],
      ] as const) {
        const answer = await post(app, "/webhooks", partner(secret), JSON.stringify({ n: 1 }), "42");
        expect(JSON.parse(answer.body).status).toBe("handled");
      }
      expect([one.runs.length, two.runs.length]).toEqual([1, 1]);
    });

    it(`issue 18 hole 5: rotating a secret (add the new one, later drop the old) never runs a delivery again (${route})`, async () => {
      const store = memoryStore();
      const [oldSecret, newSecret] = ["rotation-old-secret-token", "rotation-new-secret-token"];
      const body = JSON.stringify({ update_id: 55, message: { text: "once" } });
      const before = await start(route, schemes.telegram({ secret: oldSecret }), store, "/webhooks");
      expect(
        JSON.parse((await post(before.app, "/webhooks", schemes.telegram({ secret: oldSecret }), body)).body)
          .status,
      ).toBe("handled");
      // The same endpoint, redeployed mid-rotation, then after it; the sender retries with the new token.
      const during = await start(
        route,
        schemes.telegram({ secret: [newSecret, oldSecret] }),
        store,
        "/webhooks",
      );
      const after = await start(route, schemes.telegram({ secret: newSecret }), store, "/webhooks");
      for (const app of [during.app, after.app]) {
        const retry = await post(app, "/webhooks", schemes.telegram({ secret: newSecret }), body);
        expect(JSON.parse(retry.body).status).toBe("duplicate");
      }
      expect(before.runs.length + during.runs.length + after.runs.length).toBe(1);
    });
  }
});

describe("issue 18 hole 11: cachedSecrets never serves one tenant's secrets to another", () => {
  for (const route of http) {
    it(`issue 18 hole 11: a tenant named in the query gets its own cache entry (${route})`, async () => {
      const lookups: string[] = [];
      const secret = cachedSecrets(({ url }) => {
        const tenant = new URL(url ?? "", "http://x").searchParams.get("tenant") ?? "";
        lookups.push(tenant);
        return TENANT_SECRETS[tenant] ?? [];
      });
      const { app, runs } = await start(
        route,
        schemes.standardWebhooks({ secret }),
        memoryStore(),
        "/webhooks",
      );
      const signedBy = (tenant: string) => schemes.standardWebhooks({ secret: TENANT_SECRETS[tenant]! });
      const a = await post(app, "/webhooks?tenant=a", signedBy("a"), "{}", `msg_${freshId()}`);
      // B's delivery, and A's secret must not verify it from the cache.
      const forged = await post(app, "/webhooks?tenant=b", signedBy("a"), "{}", `msg_${freshId()}`);
      const b = await post(app, "/webhooks?tenant=b", signedBy("b"), "{}", `msg_${freshId()}`);
      expect([a.status, codeOf(forged), b.status]).toEqual([200, "signature_mismatch", 200]);
      expect(lookups).toEqual(["a", "b"]);
      expect(runs.length).toBe(2);
    });
  }
});
