import { readdirSync } from "node:fs";
import {
  createReceiver,
  type Scheme,
  schemeForSecret,
  schemeNames,
  schemeNeedsOptions,
  schemes,
  verify,
} from "@hookgate/core";
import { describe, expect, it } from "vitest";
import { generateEcdsaP256 } from "../../core/src/internal/crypto.js";
import { fixtureIndexSource } from "../scripts/fixture-index.mjs";
import {
  ed25519KeyPair,
  fixtureCatalog,
  fixtures,
  signedFixture,
  signedRequest,
  signingScheme,
  snsSigningKey,
} from "./index.js";

const keys = await ed25519KeyPair();
const otherKeys = await ed25519KeyPair();
const sendgridKeys = await generateEcdsaP256();
const otherSendgridKeys = await generateEcdsaP256();
const snsKey = await snsSigningKey();
const otherSnsKey = await snsSigningKey();
const TOPIC = "arn:aws:sns:us-east-1:123456789012:receipts";
const snsScheme = (extra: Partial<Parameters<typeof schemes.awsSns>[0]> = {}) =>
  schemes.awsSns({
    topicArn: TOPIC,
    fetchCertificate: async (url) => {
      if (url !== snsKey.certificateUrl) throw new Error(`unknown certificate ${url}`);
      return snsKey.certificate;
    },
    signingKey: snsKey,
    ...extra,
  });
const whsec = (text: string) => `whsec_${Buffer.from(text.padEnd(24, "!")).toString("base64")}`;

/** The receiving side's scheme for each provider, and a secret that is not the right one. */
interface Setup {
  scheme: Scheme;
  wrongSecret: string;
  timestamped: boolean;
  url: string;
  /** A scheme whose signature does not cover the body (Telegram's and GitLab's tokens, Mailgun). */
  token: boolean;
  /** The headers that carry its signature (none where it travels in the body). */
  signatureHeaders: readonly string[];
}

/**
 * Secret forms, tried in turn until the scheme takes one: a plain string, a Standard Webhooks
 * `whsec_` key, an Ed25519 seed (Discord), an ECDSA P-256 private key (SendGrid).
 */
const secretForms: readonly (readonly [string, string])[] = [
  ["right", "wrong"],
  [whsec("right"), whsec("wrong")],
  [keys.privateKey, otherKeys.privateKey],
  [sendgridKeys.privateKey, otherSendgridKeys.privateKey],
];

/** A scheme built from what it declares (`facts`, `schemeForSecret`): no provider is named here. */
async function setupFor(name: string): Promise<Setup | undefined> {
  const url = `https://example.com/webhooks/${name}?tenant=1`;
  for (const [right, wrong] of schemeNeedsOptions(name).length > 0 ? [] : secretForms) {
    let scheme: Scheme;
    try {
      scheme = schemeForSecret(name, right);
      await scheme.signRequest({ rawBody: "{}", url }).catch((error) => {
        // Only a key the scheme cannot use rules a form out (Twilio refuses a JSON body unsigned by URL).
        if ((error as { code?: string }).code === "invalid_secret") throw error;
      });
    } catch {
      continue;
    }
    const { facts } = scheme;
    return {
      scheme,
      wrongSecret: wrong,
      timestamped: facts.timestamp !== undefined,
      url,
      token: !facts.bodySigned,
      signatureHeaders: facts.signatureHeaders,
    };
  }
  if (name === "aws-sns") {
    // Configured by more than a secret: its topic and where its certificate is fetched from.
    const scheme = snsScheme();
    return {
      scheme,
      wrongSecret: otherSnsKey.privateKey,
      timestamped: true,
      url,
      token: false,
      signatureHeaders: [],
    };
  }
  // Another certificate scheme needs its provider's certificate host: its own interop test covers it.
  if (schemeNeedsOptions(name).includes("certificateUrl")) return undefined;
  throw new Error(`no secret form builds the ${name} scheme`);
}

const setups: Record<string, Setup | undefined> = Object.fromEntries(
  await Promise.all(
    [...new Set(fixtureCatalog.map((entry) => entry.scheme))].map(
      async (name) => [name, await setupFor(name)] as const,
    ),
  ),
);

const HOUR = 3_600_000;
const parseBody = (body: string, headers: Record<string, string>) =>
  headers["content-type"]?.startsWith("application/x-www-form-urlencoded")
    ? Object.fromEntries(new URLSearchParams(body))
    : JSON.parse(body);

describe("fixtureCatalog", () => {
  it("has the events the docs promise, for every provider", () => {
    const names = fixtureCatalog.map((entry) => `${entry.provider}.${entry.type}`);
    expect(names).toEqual(
      expect.arrayContaining([
        "stripe.checkout.session.completed",
        "stripe.invoice.paid",
        "github.push",
        "github.pull_request.opened",
        "github.issues.opened",
        "shopify.orders/create",
        "slack.app_mention",
        "standardWebhooks.invoice.paid",
        "paddle.transaction.completed",
        "linear.Issue.create",
        "twilio.message.received",
        "discord.application_command",
      ]),
    );
  });

  it("has a fixture for every built-in scheme that signs from a secret (or from its options)", () => {
    const covered = new Set(fixtureCatalog.map((entry) => entry.scheme));
    // hmac is a convention the user describes, not a provider: it has no events of its own.
    const providers = schemeNames.filter((name) => name !== "hmac");
    expect(providers.filter((name) => !covered.has(name))).toEqual([]);
  });

  it("lists exactly the fixture files in the folder, each under its scheme's key", () => {
    const files = readdirSync(new URL("./fixtures/", import.meta.url))
      .filter((name) => /^[a-z0-9-]+\.ts$/.test(name) && name !== "index.ts")
      .map((name) => name.slice(0, -3));
    expect(
      fixtureCatalog.map((entry) => entry.scheme).filter((name, i, all) => all.indexOf(name) === i),
    ).toEqual(files);
    expect(Object.keys(fixtures).sort()).toEqual(Object.keys(fixtures));
  });

  it("generates the listing from the file names: a new file is listed, helpers and tests are not", () => {
    const source = fixtureIndexSource([
      "zoom.ts",
      "index.ts",
      "acme-pay.ts",
      "x.test.ts",
      "providers.generated.ts",
    ]);
    expect(source).toContain('import { fixtures as acmePay } from "./acme-pay.js";');
    expect(source).toContain("export const providers = { acmePay, zoom } as const;");
    expect(source.split("\n").filter((line) => line.startsWith("import"))).toHaveLength(2);
  });
});

describe.each(
  fixtureCatalog
    .filter((entry) => setups[entry.scheme] !== undefined)
    .map((entry) => [`${entry.provider}.${entry.name}`, entry] as const),
)("fixtures.%s", (_name, entry) => {
  const setup = setups[entry.scheme]!;
  const input = (fixture: { headers: Record<string, string>; body: string }) => ({
    headers: fixture.headers,
    rawBody: fixture.body,
    url: setup.url,
  });
  const sign = (options: Parameters<typeof signedFixture>[2] = {}) =>
    signedFixture(setup.scheme, entry.create(), { url: setup.url, ...options });

  it(`verifies with the ${entry.scheme} scheme, typed ${entry.type}`, async () => {
    const fixture = await sign();
    const delivery = await verify(setup.scheme, input(fixture));
    expect(delivery.type).toBe(entry.type);
    expect(delivery.scheme).toBe(setup.scheme.name);
    expect(delivery.id).toEqual(expect.any(String));
    expect(delivery.payload).toEqual(parseBody(fixture.body, fixture.headers));
  });

  it("is a fresh delivery each call (new id)", async () => {
    const [a, b] = [await sign(), await sign()];
    const [da, db] = [await verify(setup.scheme, input(a)), await verify(setup.scheme, input(b))];
    expect(da.id).not.toBe(db.id);
  });
});

// The rejection paths signedFixture offers (tamper, secret, timestamp), once per scheme: that the
// schemes themselves refuse them for every scheme is scheme-cases.test.ts's table in core.
describe.each(
  [...new Map(fixtureCatalog.map((entry) => [entry.scheme, entry])).values()]
    .filter((entry) => setups[entry.scheme] !== undefined)
    .map((entry) => [entry.scheme, entry] as const),
)("signedFixture's rejection options for %s", (_name, entry) => {
  const setup = setups[entry.scheme]!;
  const input = (fixture: { headers: Record<string, string>; body: string }) => ({
    headers: fixture.headers,
    rawBody: fixture.body,
    url: setup.url,
  });
  const sign = (options: Parameters<typeof signedFixture>[2] = {}) =>
    signedFixture(setup.scheme, entry.create(), { url: setup.url, ...options });

  if (setup.token) {
    it("tampered body still verifies: the scheme does not sign the body", async () => {
      const fixture = await sign({ tamper: "body" });
      await expect(verify(setup.scheme, input(fixture))).resolves.toMatchObject({ type: entry.type });
    });
  } else {
    it("tampered body → signature_mismatch", async () => {
      const fixture = await sign({ tamper: "body" });
      await expect(verify(setup.scheme, input(fixture))).rejects.toMatchObject({
        code: "signature_mismatch",
        status: 401,
      });
    });
  }

  it("tampered signature → signature_mismatch", async () => {
    const names = setup.signatureHeaders;
    const spoil = (value: string) => {
      // Before base64's last quartet, whose padding bits a changed character may only touch.
      const at = Math.max(0, value.length - 5);
      return value.slice(0, at) + (value[at] === "a" ? "b" : "a") + value.slice(at + 1);
    };
    const fixture = await sign({
      // Every signature header the scheme declares (Box sends two); a body-carried one otherwise.
      tamper:
        names.length > 0
          ? (f) => ({
              ...f,
              headers: {
                ...f.headers,
                ...Object.fromEntries(names.map((name) => [name, spoil(f.headers[name]!)])),
              },
            })
          : "signature",
    });
    await expect(verify(setup.scheme, input(fixture))).rejects.toMatchObject({
      code: "signature_mismatch",
    });
  });

  it("signed with another secret → signature_mismatch", async () => {
    const fixture = await sign({ secret: setup.wrongSecret });
    await expect(verify(setup.scheme, input(fixture))).rejects.toMatchObject({
      code: "signature_mismatch",
    });
  });

  if (setup.timestamped) {
    it("stale timestamp → timestamp_too_old", async () => {
      const fixture = await sign({ timestamp: new Date(Date.now() - HOUR) });
      await expect(verify(setup.scheme, input(fixture))).rejects.toMatchObject({
        code: "timestamp_too_old",
        status: 401,
      });
    });
  } else {
    it("has no signed timestamp: an old signing time still verifies (replays are stopped by id dedupe)", async () => {
      const fixture = await sign({ timestamp: new Date(Date.now() - HOUR) });
      await expect(verify(setup.scheme, input(fixture))).resolves.toMatchObject({ type: entry.type });
    });
  }
});

describe("fixture overrides", () => {
  it("merge at any depth and keep every other default", () => {
    const event = fixtures.stripe.invoicePaid({
      data: { object: { amount_paid: 4900, metadata: { plan: "pro" } } },
    });
    expect(event.data.object.amount_paid).toBe(4900);
    expect(event.data.object.metadata).toEqual({ plan: "pro" });
    expect(event.data.object.currency).toBe("usd");
    expect(event.type).toBe("invoice.paid");
    expect(event.id).toMatch(/^evt_[A-Za-z0-9]{24}$/);
  });

  it("replace arrays whole, and accept null where the provider sends null", () => {
    const push = fixtures.github.push({ commits: [], head_commit: null });
    expect(push.commits).toEqual([]);
    expect(push.head_commit).toBeNull();
    expect(push.repository.full_name).toBe("octocat/Hello-World");
  });

  it("never share state between calls", () => {
    const a = fixtures.shopify.ordersCreate();
    a.line_items[0]!.quantity = 99;
    const b = fixtures.shopify.ordersCreate();
    expect(b.line_items[0]!.quantity).toBe(2);
    expect(b.id).not.toBe(a.id);
    expect(Number.isSafeInteger(b.id)).toBe(true);
  });

  it("name their event type", () => {
    expect(fixtures.github.pullRequestOpened.type).toBe("pull_request.opened");
    expect(fixtures.shopify.ordersCreate.type).toBe("orders/create");
  });
});

describe("signedFixture options", () => {
  it("id goes to the id header, or into the payload where the provider keeps it", async () => {
    const github = await signedFixture(setups.github!.scheme, fixtures.github.push(), { id: "delivery-1" });
    expect(github.headers["x-github-delivery"]).toBe("delivery-1");
    const stripe = await signedFixture(setups.stripe!.scheme, fixtures.stripe.invoicePaid(), {
      id: "evt_fixed",
    });
    expect(JSON.parse(stripe.body).id).toBe("evt_fixed");
    await expect(
      verify(setups.stripe!.scheme, { headers: stripe.headers, rawBody: stripe.body }),
    ).resolves.toMatchObject({
      id: "evt_fixed",
    });
  });

  it("type: required by GitHub and Shopify when the payload is not straight from a fixture", async () => {
    const copy = { ...fixtures.github.issuesOpened() };
    await expect(signedFixture(setups.github!.scheme, copy)).rejects.toThrow(/X-GitHub-Event.*type/i);
    const fixture = await signedFixture(setups.github!.scheme, copy, { type: "issues" });
    await expect(
      verify(setups.github!.scheme, { headers: fixture.headers, rawBody: fixture.body }),
    ).resolves.toMatchObject({
      type: "issues.opened",
    });
  });

  it("Linear: webhookTimestamp is the signing time", async () => {
    const at = new Date(Date.now() - 10_000);
    const fixture = await signedFixture(setups.linear!.scheme, fixtures.linear.issueCreate(), {
      timestamp: at,
    });
    expect(JSON.parse(fixture.body).webhookTimestamp).toBe(at.getTime());
    expect(fixture.headers["linear-event"]).toBe("Issue");
  });

  it("Twilio: form fields, signed for the url", async () => {
    const { scheme, url } = setups.twilio!;
    const fixture = await signedFixture(scheme, fixtures.twilio.incomingMessage({ Body: "STOP" }), {
      url: url!,
    });
    expect(fixture.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(new URLSearchParams(fixture.body).get("Body")).toBe("STOP");
    expect(fixture.url).toBe(url);
    await expect(
      verify(scheme, { headers: fixture.headers, rawBody: fixture.body, url: "https://example.com/other" }),
    ).rejects.toMatchObject({ code: "signature_mismatch" });
  });

  it("a string payload is signed byte for byte", async () => {
    const body = '{"type":"invoice.paid",  "data":{}}';
    const fixture = await signedFixture(setups["standard-webhooks"]!.scheme, body);
    expect(fixture.body).toBe(body);
  });

  it("signWith signs with any scheme (here hmac); secret and signWith together are refused", async () => {
    const options = { header: "x-acme-signature", prefix: "sha256=", timestampHeader: "x-acme-timestamp" };
    const scheme = schemes.hmac({ ...options, secret: "right" });
    const payload = { type: "shipment.created" };
    const ok = await signedFixture(scheme, payload);
    await expect(verify(scheme, { headers: ok.headers, rawBody: ok.body })).resolves.toMatchObject({
      type: "shipment.created",
    });
    const wrong = await signedFixture(scheme, payload, {
      signWith: schemes.hmac({ ...options, secret: "wrong" }),
    });
    await expect(verify(scheme, { headers: wrong.headers, rawBody: wrong.body })).rejects.toMatchObject({
      code: "signature_mismatch",
    });
    // `secret` re-signs with the same scheme under another key: the wrong-secret path for any scheme.
    const other = await signedFixture(scheme, payload, { secret: "x" });
    await expect(verify(scheme, { headers: other.headers, rawBody: other.body })).rejects.toMatchObject({
      code: "signature_mismatch",
    });
    await expect(signedFixture(scheme, payload, { secret: "x", signWith: scheme })).rejects.toThrow(
      /not both/,
    );
  });

  it("tamper as a function gets the signed fixture", async () => {
    const scheme = setups.stripe!.scheme;
    const fixture = await signedFixture(scheme, fixtures.stripe.invoicePaid(), {
      tamper: (f) => ({ ...f, headers: { ...f.headers, "stripe-signature": "t=1,v1=00" } }),
    });
    expect(fixture.headers["stripe-signature"]).toBe("t=1,v1=00");
  });

  it("a future timestamp → timestamp_in_future", async () => {
    const scheme = setups.slack!.scheme;
    const fixture = await signedFixture(scheme, fixtures.slack.appMention(), {
      timestamp: new Date(Date.now() + HOUR),
    });
    await expect(verify(scheme, { headers: fixture.headers, rawBody: fixture.body })).rejects.toMatchObject({
      code: "timestamp_in_future",
    });
  });
});

describe("schemes that sign inside the body, through a real receiver", () => {
  it("Mailgun: the signature is written into the body; the receiver handles it, and refuses a spoiled one", async () => {
    const scheme = schemes.mailgun({ secret: "mg-key" });
    const receiver = createReceiver({ scheme });
    const seen: unknown[] = [];
    receiver.on("delivered", (event) => {
      seen.push(event.payload);
    });
    const payload = fixtures.mailgun.delivered();
    const url = "https://example.com/webhooks/mailgun";
    const response = await receiver.fetch(await signedRequest(scheme, url, payload, { id: "tok-1" }));
    expect(response.status).toBe(200);
    expect(seen).toEqual([
      {
        ...payload,
        signature: { timestamp: expect.any(String), token: "tok-1", signature: expect.any(String) },
      },
    ]);
    const fixture = await signedFixture(scheme, fixtures.mailgun.delivered());
    expect(JSON.parse(fixture.body).signature.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(
      (await receiver.fetch(await signedRequest(scheme, url, payload, { tamper: "signature" }))).status,
    ).toBe(401);
    const form = await signedFixture(scheme, "event=opened&recipient=ada%40example.com", {
      contentType: "application/x-www-form-urlencoded",
    });
    expect(form.body).toMatch(
      /^event=opened&recipient=ada%40example\.com&timestamp=\d+&token=[0-9a-f]{50}&signature=[0-9a-f]{64}$/,
    );
    await expect(verify(scheme, { headers: form.headers, rawBody: form.body })).resolves.toMatchObject({
      type: "opened",
    });
  });

  it("AWS SNS: the payload becomes the Message of a signed Notification; a confirmation is answered", async () => {
    const confirmations: string[] = [];
    const scheme = snsScheme({ onSubscriptionConfirmation: (c) => confirmations.push(c.topicArn) });
    const receiver = createReceiver({ scheme });
    const messages: unknown[] = [];
    receiver.on("Notification", (event) => {
      messages.push(JSON.parse((event.payload as { Message: string }).Message));
    });
    const payload = fixtures.awsSns.sesDelivery();
    const url = "https://example.com/webhooks/sns";
    const response = await receiver.fetch(await signedRequest(scheme, url, payload, { id: "msg-1" }));
    expect(response.status).toBe(200);
    expect(messages).toEqual([payload]);
    for (const tamper of ["body", "signature"] as const) {
      expect((await receiver.fetch(await signedRequest(scheme, url, payload, { tamper }))).status).toBe(401);
    }
    const wrong = await signedRequest(scheme, url, payload, { secret: otherSnsKey.privateKey });
    expect((await receiver.fetch(wrong)).status).toBe(401);
    const confirmation = await signedRequest(scheme, url, "", { type: "SubscriptionConfirmation" });
    expect(await (await receiver.fetch(confirmation)).json()).toEqual({
      confirmation: "SubscriptionConfirmation",
    });
    expect(confirmations).toEqual([TOPIC]);
    expect(messages).toHaveLength(1);
  });
});

describe("signingScheme", () => {
  it("builds each built-in scheme by name, aliases included", async () => {
    expect((await signingScheme("standardWebhooks", whsec("right"))).name).toBe("standard-webhooks");
    expect((await signingScheme("Stripe", "whsec_x")).name).toBe("stripe");
    expect((await signingScheme("discord", keys.privateKey)).name).toBe("discord");
    await expect(signingScheme("acme", "s")).rejects.toThrow(
      /no built-in scheme named "acme"; use one of standard-webhooks/,
    );
    expect((await signingScheme("mailgun", "mg-key")).name).toBe("mailgun");
    await expect(signingScheme("aws-sns", snsKey.privateKey)).rejects.toThrow(
      /aws-sns is configured by more than a secret: it also needs topicArn and certificateUrl/,
    );
    const sns = await signingScheme("awsSns", snsKey.privateKey, {
      topicArn: TOPIC,
      certificateUrl: snsKey.certificateUrl,
    });
    const fixture = await signedFixture(sns, fixtures.awsSns.sesDelivery());
    await expect(
      verify(snsScheme(), { headers: fixture.headers, rawBody: fixture.body }),
    ).resolves.toMatchObject({
      type: "Notification",
    });
  });
});
