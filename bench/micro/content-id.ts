/**
 * What the content id of a delivery whose id header is unsigned (GitHub, Shopify, Twilio) costs
 * per 1 KiB delivery on this Node, CPU time per call, each way twice:
 *
 *   taskset -c 0 npx tsx micro/content-id.ts
 *
 * - v1, as it was: HMAC-SHA256 under a fixed public key, base64 by Buffer, then three replacements
 *   to base64url;
 * - the same HMAC with Node's own base64url;
 * - v2, as packages/core/src/receiver/claim.ts makes it: SHA-256 of the domain, timestamp and body
 *   fed in pieces to a `Hash` (`sha256` in internal/crypto/shared.ts), then Node's base64url;
 * - tried, not kept: the pieces copied into one buffer and hashed by one `crypto.hash` call (no
 *   `Hash` object), which measured the same as the pieces.
 *
 * `COLD=1` reads 8 MB between two calls, as a server's other work does between two requests, and
 * times each call alone (medians of 2,000): what a call costs when the caches hold something else.
 */
import { createHash, createHmac, createSecretKey, hash } from "node:crypto";

const body = Buffer.alloc(1024, 120);
const timestamp = "";
const key = createSecretKey(Buffer.from("hookgate content id v1"));
const DOMAIN = "hookgate content id v2\n";

const ways: Array<[string, () => string]> = [
  [
    "v1: HMAC, base64 + 3 replacements",
    () => {
      const hmac = createHmac("sha256", key);
      for (const chunk of [timestamp, "\n", body]) hmac.update(chunk);
      const text = hmac.digest().toString("base64");
      return `c${text.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
    },
  ],
  [
    "HMAC, Node's base64url",
    () => {
      const hmac = createHmac("sha256", key);
      for (const chunk of [timestamp, "\n", body]) hmac.update(chunk);
      return `c${hmac.digest().toString("base64url")}`;
    },
  ],
  [
    "v2: SHA-256 in pieces, Node's base64url",
    () => {
      const sha = createHash("sha256");
      for (const chunk of [DOMAIN, timestamp, "\n", body]) sha.update(chunk);
      return `c${sha.digest().toString("base64url")}`;
    },
  ],
  [
    "SHA-256 in one call after one copy, Node's base64url",
    () => {
      const chunks = [DOMAIN, timestamp, "\n", body];
      let length = 0;
      for (const chunk of chunks)
        length += typeof chunk === "string" ? Buffer.byteLength(chunk, "utf8") : chunk.byteLength;
      const joined = Buffer.allocUnsafe(length);
      let at = 0;
      for (const chunk of chunks) {
        if (typeof chunk === "string") at += joined.write(chunk, at, "utf8");
        else {
          joined.set(chunk, at);
          at += chunk.byteLength;
        }
      }
      return `c${hash("sha256", joined, "buffer").toString("base64url")}`;
    },
  ],
];

if (process.env.COLD === "1") {
  const other = new Float64Array(1 << 20);
  let read = 0;
  const evict = () => {
    for (let i = 0; i < other.length; i += 8) read += other[i]!;
  };
  for (let round = 0; round < 3; round++) {
    for (const [name, id] of ways) {
      const times: number[] = [];
      for (let i = 0; i < 2_200; i++) {
        evict();
        const started = process.hrtime.bigint();
        id();
        if (i >= 200) times.push(Number(process.hrtime.bigint() - started));
      }
      times.sort((a, b) => a - b);
      console.log(`cold, ${name}: ${times[times.length >> 1]} ns (${read})`);
    }
  }
  process.exit(0);
}

for (let round = 0; round < 2; round++) {
  for (const [name, id] of ways) {
    const n = 400_000;
    let sink = 0;
    for (let i = 0; i < n / 8; i++) sink += id().length;
    const started = process.cpuUsage();
    for (let i = 0; i < n; i++) sink += id().length;
    const used = process.cpuUsage(started);
    console.log(`${name}: ${(((used.user + used.system) / n) * 1000).toFixed(0)} ns (${sink})`);
  }
}
