/**
 * The rows `bench/verify` times, for one body size: the limit (bare crypto + JSON.parse, written
 * by hand), every hookgate scheme on the node:crypto and Web Crypto paths, and the providers' SDKs.
 * Every row verifies the same signed body and parses it; setup checks each row accepts it once.
 */
import {
  createHash,
  createHmac,
  verify as edVerify,
  generateKeyPairSync,
  sign,
  timingSafeEqual,
} from "node:crypto";
import { type Scheme, schemes, verify } from "@hookgate/core";
import { verify as octokitVerify } from "@octokit/webhooks-methods";
import { Webhook as StandardWebhook } from "standardwebhooks";
import Stripe from "stripe";
import { Webhook as SvixWebhook } from "svix";
import { forceWebCrypto, generateEd25519 } from "../../packages/core/src/internal/crypto.js";
import { body } from "./body.js";

export interface Row {
  name: string;
  /** The limit row this one's ratio is taken against (its own name for a limit). */
  reference: string;
  /** Run with core forced onto Web Crypto. */
  web?: boolean;
  run: () => unknown;
}

const SECRET = "bench_secret_8f3a9c2e7d";
const SW_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const URL_ = "https://example.com/webhooks";
const LIMIT_NODE = "limit: node:crypto HMAC-SHA256 + timingSafeEqual + JSON.parse";
const LIMIT_WEB = "limit: Web Crypto HMAC-SHA256 + compare + JSON.parse";
const LIMIT_TWILIO = "limit: SHA-256(body) + HMAC-SHA1(url) + JSON.parse";
const LIMIT_ED = "limit: node:crypto Ed25519 verify + JSON.parse";
const LIMIT_ED_WEB = "limit: Web Crypto Ed25519 verify + JSON.parse";

export { body };

function same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  let diff = 0;
  for (let i = 0; i < a.byteLength; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

async function hookgateRows(raw: Buffer): Promise<Row[]> {
  const { seed } = await generateEd25519();
  const seedHex = Buffer.from(seed).toString("hex");
  const all: Array<[string, Scheme, string, string]> = [
    ["standardWebhooks", schemes.standardWebhooks({ secret: SW_SECRET }), LIMIT_NODE, LIMIT_WEB],
    ["stripe", schemes.stripe({ secret: SECRET }), LIMIT_NODE, LIMIT_WEB],
    ["github", schemes.github({ secret: SECRET }), LIMIT_NODE, LIMIT_WEB],
    ["shopify", schemes.shopify({ secret: SECRET }), LIMIT_NODE, LIMIT_WEB],
    ["slack", schemes.slack({ secret: SECRET }), LIMIT_NODE, LIMIT_WEB],
    ["paddle", schemes.paddle({ secret: SECRET }), LIMIT_NODE, LIMIT_WEB],
    ["linear", schemes.linear({ secret: SECRET }), LIMIT_NODE, LIMIT_WEB],
    [
      "hmac",
      schemes.hmac({ secret: SECRET, header: "x-signature", prefix: "sha256=" }),
      LIMIT_NODE,
      LIMIT_WEB,
    ],
    ["twilio", schemes.twilio({ secret: SECRET }), LIMIT_TWILIO, LIMIT_TWILIO],
    ["discord (Ed25519)", schemes.discord({ privateKey: seedHex }), LIMIT_ED, LIMIT_ED_WEB],
  ];
  const rows: Row[] = [];
  const options = { tolerance: Number.POSITIVE_INFINITY };
  for (const [name, scheme, limit, webLimit] of all) {
    // Twilio signs a JSON body through a bodySHA256 query parameter on the URL.
    const url =
      name === "twilio" ? `${URL_}?bodySHA256=${createHash("sha256").update(raw).digest("hex")}` : URL_;
    const headers = await scheme.sign!({ id: "msg_1", rawBody: raw, url, type: "issues" });
    const input = { headers, rawBody: raw, url };
    // The synchronous verify (node:crypto, static secrets): the same checks, no promise.
    scheme.verifySync(input, options);
    rows.push({
      name: `hookgate ${name} verifySync`,
      reference: limit,
      run: () => scheme.verifySync(input, options),
    });
    for (const web of [false, true]) {
      forceWebCrypto(web);
      await verify(scheme, input, options); // throws if this row could not verify
      forceWebCrypto(false);
      rows.push({
        name: `hookgate ${name}${web ? " (Web Crypto)" : ""}`,
        reference: web ? webLimit : limit,
        web,
        run: () => verify(scheme, input, options),
      });
    }
  }
  return rows;
}

async function limitRows(raw: Buffer): Promise<Row[]> {
  const ts = String(Math.floor(Date.now() / 1000));
  const expected = createHmac("sha256", SECRET).update(`${ts}.`).update(raw).digest();
  const subtle = globalThis.crypto.subtle;
  const webKey = await subtle.importKey(
    "raw",
    Buffer.from(SECRET),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const prefix = Buffer.from(`${ts}.`);
  const tokenSha = createHash("sha256").update(raw).digest("hex");
  const twilioUrl = `${URL_}?bodySHA256=${tokenSha}`;
  const twilioSig = createHmac("sha1", SECRET).update(twilioUrl).digest();
  const { publicKey: pub, privateKey: priv } = generateKeyPairSync("ed25519");
  const edSig = sign(null, Buffer.concat([Buffer.from(ts), raw]), priv);
  const rawPublic = Buffer.from(pub.export({ format: "jwk" }).x!, "base64url");
  const edWebKey = await subtle.importKey("raw", rawPublic, "Ed25519", false, ["verify"]);
  return [
    {
      name: LIMIT_NODE,
      reference: LIMIT_NODE,
      run: () => {
        const actual = createHmac("sha256", SECRET).update(`${ts}.`).update(raw).digest();
        if (!timingSafeEqual(actual, expected)) throw new Error("mismatch");
        return JSON.parse(raw.toString("utf8"));
      },
    },
    {
      name: LIMIT_WEB,
      reference: LIMIT_WEB,
      run: async () => {
        const actual = new Uint8Array(await subtle.sign("HMAC", webKey, Buffer.concat([prefix, raw])));
        if (!same(actual, expected)) throw new Error("mismatch");
        return JSON.parse(new TextDecoder().decode(raw));
      },
    },
    {
      name: LIMIT_TWILIO,
      reference: LIMIT_TWILIO,
      run: () => {
        if (createHash("sha256").update(raw).digest("hex") !== tokenSha) throw new Error("mismatch");
        const actual = createHmac("sha1", SECRET).update(twilioUrl).digest();
        if (!timingSafeEqual(actual, twilioSig)) throw new Error("mismatch");
        return JSON.parse(raw.toString("utf8"));
      },
    },
    {
      name: LIMIT_ED,
      reference: LIMIT_ED,
      run: () => {
        if (!edVerify(null, Buffer.concat([Buffer.from(ts), raw]), pub, edSig)) throw new Error("mismatch");
        return JSON.parse(raw.toString("utf8"));
      },
    },
    {
      name: LIMIT_ED_WEB,
      reference: LIMIT_ED_WEB,
      run: async () => {
        if (!(await subtle.verify("Ed25519", edWebKey, edSig, Buffer.concat([Buffer.from(ts), raw]))))
          throw new Error("mismatch");
        return JSON.parse(new TextDecoder().decode(raw));
      },
    },
  ];
}

async function peerRows(raw: Buffer): Promise<Row[]> {
  // The peers that take the body as text are given it decoded in the timed run, as a server that
  // received its bytes must (the limit and hookgate decode it too).
  const text = () => raw.toString("utf8");
  const stripeScheme = schemes.stripe({ secret: SECRET });
  const stripeHeader = (await stripeScheme.sign({ rawBody: raw }))["stripe-signature"]!;
  const stripe = new Stripe("sk_test_bench");
  const swHeaders = await schemes.standardWebhooks({ secret: SW_SECRET }).sign({ id: "msg_1", rawBody: raw });
  const standard = new StandardWebhook(SW_SECRET);
  const svix = new SvixWebhook(SW_SECRET);
  const githubSignature = `sha256=${createHmac("sha256", SECRET).update(raw).digest("hex")}`;
  const rows: Row[] = [
    {
      name: "stripe-node `webhooks.constructEvent`",
      reference: LIMIT_NODE,
      run: () => stripe.webhooks.constructEvent(raw, stripeHeader, SECRET),
    },
    {
      name: "standardwebhooks `Webhook.verify`",
      reference: LIMIT_NODE,
      run: () => standard.verify(text(), swHeaders),
    },
    { name: "svix `Webhook.verify`", reference: LIMIT_NODE, run: () => svix.verify(text(), swHeaders) },
    {
      name: "@octokit/webhooks-methods `verify` + JSON.parse",
      reference: LIMIT_NODE,
      run: async () => {
        const body = text();
        if (!(await octokitVerify(SECRET, body, githubSignature))) throw new Error("mismatch");
        return JSON.parse(body);
      },
    },
  ];
  for (const row of rows) await row.run();
  return rows;
}

/** All rows for one body size, each checked once. */
export async function rowsFor(raw: Buffer): Promise<Row[]> {
  const rows = [...(await limitRows(raw)), ...(await hookgateRows(raw)), ...(await peerRows(raw))];
  for (const row of rows) if (row.reference === row.name) await row.run();
  return rows;
}
