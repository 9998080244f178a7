import { createReceiver, schemes } from "@hookgate/core";
import { nodeHeaderRecord } from "@hookgate/core/kit";
import { afterEach, describe, expect, it } from "vitest";
import { serveFetch } from "./node-app.js";
import { adapterScenarios, type StartedApp } from "./scenarios.js";

// `receiver.fetch` served as it is by @hono/node-server (`serve({ fetch: receiver.fetch })`), which
// passes Node's request beside the Web one: the receiver reads its header record, as the Node
// bridge does, and every adapter scenario holds over real HTTP.
adapterScenarios({
  name: "receiver.fetch on @hono/node-server",
  bodyParser: "request.json()",
  clientIp: false,
  async start(receiver, { bodyParserFirst, publicUrl }) {
    return serveFetch(async (request, env) => {
      if (bodyParserFirst) await request.json();
      return receiver.fetch(request, publicUrl ? { ...env, url: publicUrl } : env);
    }, "/webhooks/stripe");
  },
});

describe("receiver.fetch on @hono/node-server", () => {
  const running: StartedApp[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => app.close()));
  });

  it("is handed Node's HTTP/1 request, whose header record holds the headers as sent", async () => {
    const scheme = schemes.stripe({ secret: "whsec_fetch_node_server" });
    const receiver = createReceiver({ scheme }).onAny(() => {});
    const seen: unknown[] = [];
    const served = await serveFetch((request, env) => {
      seen.push(nodeHeaderRecord(env.incoming));
      return receiver.fetch(request, env);
    }, "/webhooks");
    running.push(served);
    const body = JSON.stringify({ id: "evt_fetch_1", type: "invoice.paid", data: {} });
    const headers = await scheme.sign({ rawBody: body });
    const first = await fetch(served.url, { method: "POST", headers, body });
    expect(first.status).toBe(200);
    const again = await fetch(served.url, { method: "POST", headers, body });
    expect(await again.json()).toMatchObject({ status: "duplicate", id: "evt_fetch_1" });
    const signature = headers["stripe-signature"]!;
    const at = signature.indexOf("v1=") + 3;
    const flipped = `${signature.slice(0, at)}${signature[at] === "0" ? "1" : "0"}${signature.slice(at + 1)}`;
    const tampered = await fetch(served.url, {
      method: "POST",
      headers: { ...headers, "stripe-signature": flipped },
      body,
    });
    expect(tampered.status).toBe(401);
    const [record] = seen as [Record<string, string>];
    expect(record).toBeDefined();
    expect(record["stripe-signature"]).toBe(headers["stripe-signature"]);
  });
});
