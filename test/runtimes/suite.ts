// The runtime suite: what hookgate promises on every JavaScript runtime (Node, Bun, Deno, workerd),
// written against Web APIs only, so one bundle of it runs anywhere. `runSuite()` never throws: each
// case becomes a Result, and a runner (test/runtimes/workerd.test.ts) asserts on them.
import {
  createReceiver,
  memoryStore,
  type Scheme,
  schemeForSecret,
  schemeNames,
  schemeNeedsOptions,
  schemes,
  verify,
} from "@hookgate/core";
import { webhookHandler } from "@hookgate/hono";
import { ed25519KeyPair, fixtureCatalog, fixtures, signedFixture, signedRequest } from "@hookgate/testing";
import { Hono } from "hono";

/** One case's outcome. */
export interface Result {
  name: string;
  ok: boolean;
  /** Why it failed, or what it found (the crypto path). */
  detail?: string;
}

class SuiteError extends Error {}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new SuiteError(message);
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));
const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** An ECDSA P-256 private key as the SendGrid scheme takes it (base64 PKCS#8), made by Web Crypto. */
async function ecdsaPrivateKey(): Promise<string> {
  const pair = (await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, [
    "sign",
    "verify",
  ])) as CryptoKeyPair;
  return base64(new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer));
}

/** A fresh secret the scheme takes: a plain string, else a `whsec_` key, else an ECDSA key. */
async function workingSecret(name: string): Promise<string> {
  if (name === "discord") return (await ed25519KeyPair()).privateKey;
  const candidates = [
    () => (name === "stripe" ? `whsec_${hex(random(24))}` : `${name}_secret_${hex(random(24))}`),
    () => `whsec_${base64(random(24))}`,
    ecdsaPrivateKey,
  ];
  for (const candidate of candidates) {
    const secret = await candidate();
    try {
      await schemeForSecret(name, secret).signRequest({ rawBody: "{}", url: "https://hooks.example.com/x" });
      return secret;
    } catch (error) {
      if ((error as { code?: string }).code !== "invalid_secret") return secret;
    }
  }
  throw new SuiteError(`no secret form found for ${name}`);
}

/** Signs the scheme's first catalog fixture, verifies it, and checks a flipped body is refused. */
async function signAndVerify(name: string, scheme: Scheme): Promise<void> {
  const entry = fixtureCatalog.find((f) => f.scheme === name && !/url_verification|ping/i.test(f.name));
  const payload = entry ? entry.create() : { id: "evt_runtime", type: "thing.happened" };
  const url = `https://hooks.example.com/in/${name}`;
  const fixture = await signedFixture(scheme, payload, { url });
  const input = { method: "POST", url, headers: fixture.headers, rawBody: fixture.body };
  const delivery = await verify(scheme, input);
  check(typeof delivery.id === "string" && delivery.id.length > 0, "the verified delivery has no id");
  const tampered = { ...input, rawBody: `${fixture.body.slice(0, -1)} ` };
  const refused = await verify(scheme, tampered).then(
    () => undefined,
    (error: { code?: string }) => error.code,
  );
  check(refused !== undefined, "a tampered body verified");
}

/** Every scheme one secret configures, plus a configured `hmac`. */
async function schemeCases(): Promise<Array<[string, () => Promise<void>]>> {
  const names = schemeNames.filter((name) => schemeNeedsOptions(name).length === 0);
  const cases: Array<[string, () => Promise<void>]> = names.map((name) => [
    `scheme ${name}: sign and verify`,
    async () => signAndVerify(name, schemeForSecret(name, await workingSecret(name))),
  ]);
  const hmac = schemes.hmac({ secret: hex(random(24)), header: "x-acme-signature", prefix: "sha256=" });
  cases.push(["scheme hmac: sign and verify", () => signAndVerify("hmac", hmac)]);
  return cases;
}

// Made in a handler, not at import: workerd refuses random values in global scope.
let stripe: Scheme;

async function dedupe(): Promise<void> {
  const receiver = createReceiver({ scheme: stripe, store: memoryStore() });
  const runs: string[] = [];
  receiver.on("invoice.paid", (event) => void runs.push(event.id));
  const { headers, body } = await signedFixture(stripe, fixtures.stripe.invoicePaid());
  const first = await receiver.handle({ method: "POST", headers, rawBody: body });
  const second = await receiver.handle({ method: "POST", headers, rawBody: body });
  check(first.outcome === "handled", `the first delivery was ${first.outcome}`);
  check(second.outcome === "duplicate", `the copy was ${second.outcome}, not duplicate`);
  check(runs.length === 1, `the handler ran ${runs.length} times`);
}

async function receiverFetch(): Promise<void> {
  const receiver = createReceiver({ scheme: stripe });
  let ran = 0;
  receiver.on("invoice.paid", () => void ran++);
  const url = "https://hooks.example.com/stripe";
  const ok = await receiver.fetch(await signedRequest(stripe, url, fixtures.stripe.invoicePaid()));
  check(ok.status === 200, `a signed request got ${ok.status}`);
  const forged = await signedRequest(
    stripe.withSigningKey("whsec_wrong"),
    url,
    fixtures.stripe.invoicePaid(),
  );
  const refused = await receiver.fetch(forged);
  check(refused.status === 401, `a forged request got ${refused.status}`);
  const body = (await refused.json()) as { error?: { code?: string } };
  check(body.error?.code === "signature_mismatch", `the refusal's code is ${body.error?.code}`);
  check(ran === 1, `the handler ran ${ran} times`);
}

async function honoAdapter(): Promise<void> {
  const receiver = createReceiver({ scheme: stripe });
  const seen: string[] = [];
  receiver.on("invoice.paid", (event) => void seen.push(event.type));
  const app = new Hono().post("/webhooks/stripe", webhookHandler(receiver));
  const url = "https://hooks.example.com/webhooks/stripe";
  const answer = await app.fetch(await signedRequest(stripe, url, fixtures.stripe.invoicePaid()));
  check(answer.status === 200, `Hono answered ${answer.status}`);
  const copy = await app.fetch(await signedRequest(stripe, url, fixtures.stripe.invoicePaid()));
  check(copy.status === 200, `Hono answered a second delivery ${copy.status}`);
  check(seen.length === 2 && seen[0] === "invoice.paid", `handlers saw ${JSON.stringify(seen)}`);
}

async function handshake(): Promise<void> {
  const slack = schemes.slack({ secret: hex(random(16)) });
  const receiver = createReceiver({ scheme: slack });
  let ran = 0;
  receiver.onAny(() => void ran++);
  const challenge = fixtures.slack.urlVerification();
  const answer = await receiver.fetch(
    await signedRequest(slack, "https://hooks.example.com/slack", challenge),
  );
  check(answer.status === 200, `the handshake got ${answer.status}`);
  const body = (await answer.json()) as { challenge?: string };
  check(body.challenge === challenge.challenge, "the answer does not echo the challenge");
  check(ran === 0, "a handler ran for the handshake");
}

async function batchSplit(): Promise<void> {
  const secret = await workingSecret("sendgrid");
  const sendgrid = schemeForSecret("sendgrid", secret);
  const receiver = createReceiver({ scheme: sendgrid, store: memoryStore() });
  const ids: string[] = [];
  receiver.onAny((event) => void ids.push(event.id));
  const events = [...fixtures.sendgrid.delivered(), ...fixtures.sendgrid.delivered()];
  const request = await signedRequest(sendgrid, "https://hooks.example.com/sendgrid", events);
  const answer = await receiver.fetch(request);
  check(answer.status === 200, `the batch got ${answer.status}`);
  const body = (await answer.json()) as { deliveries?: Array<{ status: string }> };
  check(body.deliveries?.length === events.length, `the batch answered ${JSON.stringify(body)}`);
  check(new Set(ids).size === events.length, `handlers saw ${ids.length} events, ${new Set(ids).size} ids`);
}

/** Which crypto the runtime gives hookgate: node:crypto (through process.getBuiltinModule) or Web Crypto. */
export function cryptoPath(): "node:crypto" | "web-crypto" {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  try {
    return proc?.getBuiltinModule?.("node:crypto") ? "node:crypto" : "web-crypto";
  } catch {
    return "web-crypto";
  }
}

async function attempt(name: string, run: () => Promise<void>): Promise<Result> {
  try {
    await run();
    return { name, ok: true };
  } catch (error) {
    return {
      name,
      ok: false,
      detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

/** Runs every case, one after another; never throws. The first result names the crypto path. */
export async function runSuite(): Promise<Result[]> {
  const results: Result[] = [{ name: "crypto path", ok: true, detail: cryptoPath() }];
  stripe = schemes.stripe({ secret: `whsec_${hex(random(16))}` });
  const cases: Array<[string, () => Promise<void>]> = [
    ...(await schemeCases()),
    ["dedupe: a copy is a duplicate, the handler runs once", dedupe],
    ["receiver.fetch: signed 200, forged 401", receiverFetch],
    ["hono: webhookHandler", honoAdapter],
    ["handshake: Slack url_verification", handshake],
    ["batch: SendGrid events split", batchSplit],
  ];
  for (const [name, run] of cases) results.push(await attempt(name, run));
  return results;
}
