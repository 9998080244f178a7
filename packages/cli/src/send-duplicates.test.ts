import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createReceiver,
  memoryStore,
  type Scheme,
  schemeForSecret,
  schemeNeedsOptions,
  schemes,
} from "@hookgate/core";
import { handleNodeRequest, writeNodeResponse } from "@hookgate/core/kit";
import { ed25519KeyPair, fixtureCatalog, snsSigningKey } from "@hookgate/testing";
import { afterAll, describe, expect, it } from "vitest";
import { SCHEME_NAMES } from "./internal/inputs.js";
import { captureIO } from "./internal/test-io.js";
import { runCli } from "./run-cli.js";

const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A receiver for `scheme` on a free localhost port, counting the events its handlers ran. */
async function listen(scheme: Scheme, path: string) {
  const receiver = createReceiver({ scheme, store: memoryStore() });
  let handled = 0;
  receiver.onAny(() => {
    handled++;
  });
  const server = createServer((req, res) => {
    void handleNodeRequest(receiver, req).then((answer) => writeNodeResponse(res, answer));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}${path}`, handled: () => handled };
}

const dir = mkdtempSync(join(tmpdir(), "hookgate-send-id-"));
const sns = await snsSigningKey();
writeFileSync(join(dir, "sns-key.pem"), sns.privateKey);
const discord = await ed25519KeyPair();
const sendgridKey = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
  .privateKey.export({ type: "pkcs8", format: "der" })
  .toString("base64");
const topicArn = "arn:aws:sns:us-east-1:123456789012:orders";

/** The receiver's scheme, and the CLI flags that sign for it, for a scheme by its `--scheme` name. */
function setUp(name: string): { receiver: Scheme; flags: string[] } {
  if (name === "aws-sns") {
    return {
      receiver: schemes.awsSns({ topicArn, fetchCertificate: async () => sns.certificate }),
      flags: ["--secret", "sns-key.pem", "--topic-arn", topicArn, "--certificate-url", sns.certificateUrl],
    };
  }
  if (name === "hmac") {
    const signing = { header: "x-acme-signature", timestampHeader: "x-acme-timestamp" };
    return {
      receiver: schemes.hmac({ secret: "hmac-secret", ...signing }),
      flags: [
        "--secret",
        "hmac-secret",
        "--header",
        signing.header,
        "--timestamp-header",
        signing.timestampHeader,
      ],
    };
  }
  const secret =
    name === "discord"
      ? discord.privateKey
      : name === "sendgrid"
        ? sendgridKey
        : `whsec_${randomBytes(24).toString("base64")}`;
  return { receiver: schemeForSecret(name, secret), flags: ["--secret", secret] };
}

const HANDSHAKES = /url_validation|url_verification|challenge|ping|verification/i;

describe("hookgate send --id: the same id again is a duplicate, for every scheme", () => {
  // A certificate scheme other than aws-sns needs its provider's certificate host: not set up here
  // (its own interop test signs and verifies it); every other scheme is.
  const known = (name: string) => name === "aws-sns" || !schemeNeedsOptions(name).includes("certificateUrl");
  it.each(SCHEME_NAMES.filter(known).map((name) => [name]))("%s", async (name) => {
    const { receiver, flags } = setUp(name);
    const entry = fixtureCatalog.find(
      (f) => f.scheme === name && !HANDSHAKES.test(f.name) && !HANDSHAKES.test(f.type),
    );
    const { url, handled } = await listen(receiver, `/hooks/${name}`);
    const payload = entry ? ["--fixture", `${entry.provider}.${entry.name}`] : ["--data", "-"];
    const cache = mkdtempSync(join(tmpdir(), "hookgate-send-cache-"));
    const send = async (...extra: string[]) => {
      const run = captureIO(JSON.stringify({ type: "thing.happened", n: 1 }), {
        cwd: dir,
        env: { HOOKGATE_CACHE_DIR: cache },
      });
      const args = ["send", url, "--scheme", name, ...flags, ...payload, "--id", "dup-1", ...extra];
      const code = await runCli(args, run.io);
      return { code, out: run.out(), err: run.err() };
    };

    const first = await send();
    expect(first.out, first.err).toMatch(/^20[02] (handled|queued)/);
    // A second invocation, as a user retrying by hand: the receiver has seen this delivery.
    const again = await send();
    expect(again, again.err).toMatchObject({ code: 0, out: expect.stringMatching(/^200 duplicate/) });
    // And within one run: every repeat after the first.
    const repeated = await send("--repeat", "3");
    expect(repeated.out).toMatch(/200 duplicate\s+×3/);
    expect(handled()).toBe(1);
  });
});
