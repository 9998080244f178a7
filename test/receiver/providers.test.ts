import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { cachedSecrets, createReceiver, schemes } from "@hookgate/core";
import { webhookMiddleware } from "@hookgate/express";
import { fixtures, signedFixture } from "@hookgate/testing";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { generateEcdsaP256 } from "../../packages/core/src/internal/crypto.js";

const servers: Array<ReturnType<typeof createServer>> = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function listen(app: express.Express): Promise<string> {
  const server = createServer(app);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("per-tenant secrets over real HTTP", () => {
  it("an Express route /webhooks/:tenant verifies with the tenant's secret; a delivery signed for A and posted to B is refused", async () => {
    const secrets: Record<string, string> = { acme: "gh_secret_acme", globex: "gh_secret_globex" };
    const lookups: string[] = [];
    const handled: Array<{ tenant: string | undefined; id: string }> = [];
    const receiver = createReceiver({
      scheme: schemes.github({
        secret: cachedSecrets(async ({ params }) => {
          lookups.push(params?.tenant ?? "");
          const secret = params?.tenant ? secrets[params.tenant] : undefined;
          return secret ? [{ id: params!.tenant!, value: secret }] : [];
        }),
      }),
    }).on("push", (event) => void handled.push({ tenant: event.matchedSecret.id, id: event.id }));
    const app = express();
    app.post("/webhooks/:tenant", webhookMiddleware(receiver));
    const base = await listen(app);

    const signedForAcme = await signedFixture(
      schemes.github({ secret: secrets.acme! }),
      fixtures.github.push(),
      {
        id: "delivery-acme-1",
      },
    );
    const post = (tenant: string, fixture: typeof signedForAcme) =>
      fetch(`${base}/webhooks/${tenant}`, { method: "POST", headers: fixture.headers, body: fixture.body });

    expect((await post("acme", signedForAcme)).status).toBe(200);
    const crossTenant = await post("globex", signedForAcme);
    expect(crossTenant.status).toBe(401);
    expect(((await crossTenant.json()) as { error: { code: string } }).error.code).toBe("signature_mismatch");
    const unknown = await post("initech", signedForAcme);
    expect(unknown.status).toBe(401);
    expect(handled).toEqual([{ tenant: "acme", id: "delivery-acme-1" }]);

    // The cache answers a tenant's second delivery without a second lookup.
    const second = await signedFixture(schemes.github({ secret: secrets.acme! }), fixtures.github.push(), {
      id: "delivery-acme-2",
    });
    expect((await post("acme", second)).status).toBe(200);
    expect(lookups.filter((tenant) => tenant === "acme")).toHaveLength(1);
  });
});

describe("batches", () => {
  it("a SendGrid batch becomes one delivery per event; a batch repeating an event runs each event once", async () => {
    const keys = await generateEcdsaP256();
    const scheme = schemes.sendgrid({ publicKey: keys.publicKey, privateKey: keys.privateKey });
    const ran: string[] = [];
    const receiver = createReceiver({ scheme }).onAny((event) => void ran.push(event.id));
    const event = (id: string, kind: string) => ({
      email: "user@example.com",
      timestamp: Math.floor(Date.now() / 1000),
      event: kind,
      sg_event_id: id,
      sg_message_id: "msg-1",
    });
    const first = await signedFixture(scheme, [event("ev-1", "delivered"), event("ev-2", "open")]);
    const answer = await receiver.handle({ method: "POST", headers: first.headers, rawBody: first.body });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      deliveries: [
        { id: "ev-1", status: "handled" },
        { id: "ev-2", status: "handled" },
      ],
    });
    // SendGrid resends a batch that contains ev-2 again next to a new event.
    const second = await signedFixture(scheme, [event("ev-2", "open"), event("ev-3", "click")]);
    const again = await receiver.handle({ method: "POST", headers: second.headers, rawBody: second.body });
    expect(JSON.parse(again.body)).toMatchObject({
      deliveries: [
        { id: "ev-2", status: "duplicate" },
        { id: "ev-3", status: "handled" },
      ],
    });
    expect(ran.sort()).toEqual(["ev-1", "ev-2", "ev-3"]);
  });

  it("a batch where one event's handler fails answers 500; the retry runs only the failed event", async () => {
    const keys = await generateEcdsaP256();
    const scheme = schemes.sendgrid({ publicKey: keys.publicKey, privateKey: keys.privateKey });
    const ran: string[] = [];
    let failOpen = true;
    const receiver = createReceiver({ scheme }).onAny((event) => {
      if (event.type === "open" && failOpen) throw new Error("downstream down");
      ran.push(event.id);
    });
    const batch = [
      {
        email: "a@example.com",
        timestamp: Math.floor(Date.now() / 1000),
        event: "delivered",
        sg_event_id: "b-1",
      },
      { email: "a@example.com", timestamp: Math.floor(Date.now() / 1000), event: "open", sg_event_id: "b-2" },
    ];
    const signed = await signedFixture(scheme, batch);
    const input = { method: "POST", headers: signed.headers, rawBody: signed.body };
    expect((await receiver.handle(input)).status).toBe(500);
    failOpen = false;
    expect((await receiver.handle(input)).status).toBe(200);
    expect(ran).toEqual(["b-1", "b-2"]);
  });
});

describe("unsigned protocol handshakes through the pipeline", () => {
  it("Dropbox's GET ?challenge= is echoed as text/plain without running handlers; other GETs are 405", async () => {
    let ran = 0;
    const receiver = createReceiver({ scheme: schemes.dropbox({ secret: "app-secret" }) }).onAny(
      () => void ran++,
    );
    const app = express();
    app.all("/dropbox", webhookMiddleware(receiver));
    const base = await listen(app);
    const challenge = await fetch(`${base}/dropbox?challenge=abc123`);
    expect(challenge.status).toBe(200);
    expect(challenge.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await challenge.text()).toBe("abc123");
    expect((await fetch(`${base}/dropbox`)).status).toBe(405);
    expect(ran).toBe(0);
  });

  it("Asana's X-Hook-Secret handshake is handed to onHookSecret and echoed; later deliveries verify with it", async () => {
    const stored: string[] = [];
    const receiver = createReceiver({
      scheme: schemes.asana({ secret: () => stored, onHookSecret: (secret) => void stored.push(secret) }),
    }).onAny(() => {});
    const handshake = await receiver.handle({
      method: "POST",
      url: "https://example.com/asana",
      headers: { "x-hook-secret": "hs_1234567890", "content-type": "application/json" },
      rawBody: "",
    });
    expect(handshake.status).toBe(200);
    expect(handshake.headers["x-hook-secret"]).toBe("hs_1234567890");
    expect(stored).toEqual(["hs_1234567890"]);
    const signer = schemes.asana({ secret: "hs_1234567890" });
    const delivery = await signedFixture(
      signer,
      fixtures.asana[Object.keys(fixtures.asana)[0] as keyof typeof fixtures.asana](),
    );
    expect(
      (
        await receiver.handle({
          method: "POST",
          url: "https://example.com/asana",
          headers: delivery.headers,
          rawBody: delivery.body,
        })
      ).status,
    ).toBe(200);
  });
});

describe("found by the property suite", () => {
  it("Dropbox: a GET to a URL that does not parse (a hostile Host) is no challenge and no 500", async () => {
    const receiver = createReceiver({ scheme: schemes.dropbox({ secret: "app-secret" }) });
    const answer = await receiver.handle({
      method: "GET",
      url: "https://a b/?challenge=x",
      headers: {},
      rawBody: "",
    });
    expect(answer.status).toBeLessThan(500);
  });

  it("HubSpot: verify and the receiver agree on a lower-case method name", async () => {
    const scheme = schemes.hubspot({ secret: "hs-secret" });
    const url = "https://example.com/hubspot";
    const fixture = await signedFixture(
      scheme,
      fixtures.hubspot[Object.keys(fixtures.hubspot)[0] as keyof typeof fixtures.hubspot](),
      { url },
    );
    const input = { method: "post", url, headers: fixture.headers, rawBody: fixture.body };
    await expect(scheme.verify(input)).resolves.toBeTruthy();
    expect(
      (
        await createReceiver({ scheme })
          .onAny(() => {})
          .handle(input)
      ).status,
    ).toBe(200);
  });
});
