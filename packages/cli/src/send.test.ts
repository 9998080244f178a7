import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReceiver, type Scheme, schemes } from "@hookgate/core";
import { handleNodeRequest, writeNodeResponse } from "@hookgate/core/kit";
import { ed25519KeyPair, fixtures, snsSigningKey } from "@hookgate/testing";
import { afterEach, describe, expect, it } from "vitest";
import { send } from "./commands/send.js";
import { captureIO } from "./internal/test-io.js";
import { runCli } from "./run-cli.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A receiver on a free localhost port, recording the types its handlers saw. */
async function listen(scheme: Scheme, path = "/webhooks") {
  const receiver = createReceiver({ scheme });
  const seen: string[] = [];
  receiver.onAny((event) => {
    seen.push(event.type);
  });
  const server = createServer((req, res) => {
    void handleNodeRequest(receiver, req).then((answer) => writeNodeResponse(res, answer));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, seen };
}

const keys = await ed25519KeyPair();
const STANDARD = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

// Every scheme the CLI signs: the receiver's scheme, the CLI's --secret, a fixture, the type the handler sees.
const cases: Array<[name: string, receiver: Scheme, secret: string, fixture: string, type: string]> = [
  [
    "standard-webhooks",
    schemes.standardWebhooks({ secret: STANDARD }),
    STANDARD,
    "standardWebhooks.invoicePaid",
    "invoice.paid",
  ],
  [
    "stripe",
    schemes.stripe({ secret: "whsec_s" }),
    "whsec_s",
    "stripe.checkout.session.completed",
    "checkout.session.completed",
  ],
  ["github", schemes.github({ secret: "gh" }), "gh", "github.pull_request.opened", "pull_request.opened"],
  ["shopify", schemes.shopify({ secret: "shp" }), "shp", "shopify.orders/create", "orders/create"],
  ["slack", schemes.slack({ secret: "sl" }), "sl", "slack.appMention", "app_mention"],
  ["twilio", schemes.twilio({ secret: "tw" }), "tw", "twilio.incomingMessage", "message.received"],
  [
    "paddle",
    schemes.paddle({ secret: "pdl" }),
    "pdl",
    "paddle.transactionCompleted",
    "transaction.completed",
  ],
  ["linear", schemes.linear({ secret: "lin" }), "lin", "linear.issueCreate", "Issue.create"],
  [
    "discord",
    schemes.discord({ publicKey: keys.publicKey }),
    keys.privateKey,
    "discord.applicationCommand",
    "application_command",
  ],
];

describe("hookgate send against a local receiver", () => {
  it.each(cases)("%s: signed as the provider would, handled", async (name, scheme, secret, fixture, type) => {
    const { url, seen } = await listen(scheme, `/hooks/${name}?tenant=1`);
    const { io, out, err } = captureIO();
    const code = await runCli(["send", url, "--scheme", name, "--secret", secret, "--fixture", fixture], io);
    expect({ code, err: err() }).toEqual({ code: 0, err: "" });
    expect(out()).toMatch(
      /^200 handled {2}[\d.]+ ms incl\. connection set-up {2}\{"status":"handled","id":"[^"]+"\}\n$/,
    );
    expect(seen).toEqual([type]);
  });

  it("takes the scheme from the fixture when --scheme is left out", async () => {
    const { url, seen } = await listen(schemes.stripe({ secret: "whsec_s" }));
    const { io } = captureIO();
    expect(await runCli(["send", url, "--secret", "whsec_s", "--fixture", "stripe.invoicePaid"], io)).toBe(0);
    expect(seen).toEqual(["invoice.paid"]);
  });

  it("--data sends a file byte for byte", async () => {
    const { url, seen } = await listen(schemes.github({ secret: "gh" }));
    const dir = mkdtempSync(join(tmpdir(), "hookgate-send-"));
    writeFileSync(join(dir, "push.json"), `${JSON.stringify(fixtures.github.push(), null, 2)}\n`);
    const { io } = captureIO(undefined, { cwd: dir });
    const args = [
      "send",
      url,
      "--scheme",
      "github",
      "--secret",
      "gh",
      "--data",
      "push.json",
      "--type",
      "push",
    ];
    expect(await runCli(args, io)).toBe(0);
    expect(seen).toEqual(["push"]);
  });

  it("--repeat N --concurrency C: every answer tallied, with a latency summary", async () => {
    const { url, seen } = await listen(schemes.stripe({ secret: "whsec_s" }));
    const { io, out } = captureIO();
    const args = [
      "send",
      url,
      "--secret",
      "whsec_s",
      "--fixture",
      "stripe.invoicePaid",
      "--repeat",
      "40",
      "--concurrency",
      "8",
    ];
    expect(await runCli(args, io)).toBe(0);
    expect(seen).toHaveLength(40);
    expect(out()).toContain(`40 of 40 sent to ${url}`);
    expect(out()).toMatch(/200 handled\s+×40/);
    expect(out()).toMatch(/latency {2}min [\d.]+ ms · p50 [\d.]+ ms · p90 [\d.]+ ms · p99 [\d.]+ ms · max/);
    expect(out()).toMatch(/throughput {2}[\d,]+ req\/s .*concurrency 8/);
  });

  it("repeating one --data payload with a payload id: the first is handled, the rest are duplicates", async () => {
    const { url, seen } = await listen(schemes.stripe({ secret: "whsec_s" }));
    const dir = mkdtempSync(join(tmpdir(), "hookgate-send-"));
    writeFileSync(join(dir, "event.json"), JSON.stringify(fixtures.stripe.invoicePaid()));
    const { io, out } = captureIO(undefined, { cwd: dir });
    const args = [
      "send",
      url,
      "--scheme",
      "stripe",
      "--secret",
      "whsec_s",
      "--data",
      "event.json",
      "--repeat",
      "5",
      "--concurrency",
      "1",
    ];
    expect(await runCli(args, io)).toBe(0);
    expect(seen).toHaveLength(1);
    expect(out()).toMatch(/200 duplicate\s+×4/);
    expect(out()).toMatch(/200 handled\s+×1/);
  });

  it("draws a progress bar on a terminal", async () => {
    const { url } = await listen(schemes.stripe({ secret: "whsec_s" }));
    const { io, err } = captureIO(undefined, { tty: true });
    const args = ["send", url, "--secret", "whsec_s", "--fixture", "stripe.invoicePaid", "--repeat", "20"];
    expect(await runCli(args, io)).toBe(0);
    expect(err()).toContain("sending [");
  });

  it.each([
    [["--tamper", "body"], "401 signature_mismatch"],
    [["--tamper", "signature"], "401 signature_mismatch"],
    [["--timestamp", "1h ago"], "401 timestamp_too_old"],
  ])("%j: prints the rejection and exits 1", async (extra, answer) => {
    const { url, seen } = await listen(schemes.stripe({ secret: "whsec_s" }));
    const { io, out } = captureIO();
    expect(
      await runCli(["send", url, "--secret", "whsec_s", "--fixture", "stripe.invoicePaid", ...extra], io),
    ).toBe(1);
    expect(out()).toContain(answer);
    expect(seen).toEqual([]);
  });

  it("a wrong secret is rejected", async () => {
    const { url } = await listen(schemes.stripe({ secret: "whsec_s" }));
    const { io, out } = captureIO();
    expect(
      await runCli(["send", url, "--secret", "whsec_other", "--fixture", "stripe.invoicePaid"], io),
    ).toBe(1);
    expect(out()).toMatch(/^401 signature_mismatch/);
  });
});

describe("hookgate send: schemes that sign inside the body", () => {
  it("mailgun: --fixture and --data are signed into the body and handled; a spoiled signature is refused", async () => {
    const { url, seen } = await listen(schemes.mailgun({ secret: "key-mg" }));
    const { io, out, err } = captureIO();
    const code = await runCli(["send", url, "--secret", "key-mg", "--fixture", "mailgun.delivered"], io);
    expect({ code, err: err(), out: out() }).toMatchObject({
      code: 0,
      err: "",
      out: expect.stringMatching(/^200 handled/),
    });
    const dir = mkdtempSync(join(tmpdir(), "hookgate-send-"));
    writeFileSync(join(dir, "opened.json"), JSON.stringify({ "event-data": { event: "opened" } }));
    const data = captureIO(undefined, { cwd: dir });
    expect(
      await runCli(
        ["send", url, "--scheme", "mailgun", "--secret", "key-mg", "--data", "opened.json"],
        data.io,
      ),
    ).toBe(0);
    expect(seen).toEqual(["delivered", "opened"]);
    const spoiled = captureIO();
    const args = [
      "send",
      url,
      "--secret",
      "key-mg",
      "--fixture",
      "mailgun.delivered",
      "--tamper",
      "signature",
    ];
    expect(await runCli(args, spoiled.io)).toBe(1);
    expect(spoiled.out()).toMatch(/^401 signature_mismatch/);
  });

  it("aws-sns: the payload is sent as the Message of a Notification signed with the key file", async () => {
    const key = await snsSigningKey();
    const topicArn = "arn:aws:sns:us-east-1:123456789012:receipts";
    const { url, seen } = await listen(
      schemes.awsSns({ topicArn, fetchCertificate: async () => key.certificate }),
    );
    const dir = mkdtempSync(join(tmpdir(), "hookgate-send-"));
    writeFileSync(join(dir, "sns-key.pem"), key.privateKey);
    const base = [
      "send",
      url,
      "--secret",
      "sns-key.pem",
      "--topic-arn",
      topicArn,
      "--certificate-url",
      key.certificateUrl,
    ];
    const ok = captureIO(undefined, { cwd: dir });
    expect(await runCli([...base, "--fixture", "awsSns.sesDelivery", "--repeat", "3"], ok.io)).toBe(0);
    expect(ok.out()).toMatch(/200 handled\s+×3/);
    expect(seen).toEqual(["Notification", "Notification", "Notification"]);
    for (const tamper of ["body", "signature"]) {
      const bad = captureIO(undefined, { cwd: dir });
      expect(await runCli([...base, "--fixture", "awsSns.sesDelivery", "--tamper", tamper], bad.io)).toBe(1);
      expect(bad.out()).toMatch(/^401 signature_mismatch/);
    }
    const other = await snsSigningKey();
    writeFileSync(join(dir, "other.pem"), other.privateKey);
    const wrong = captureIO(undefined, { cwd: dir });
    const wrongArgs = base.map((arg) => (arg === "sns-key.pem" ? "other.pem" : arg));
    expect(await runCli([...wrongArgs, "--fixture", "awsSns.sesDelivery"], wrong.io)).toBe(1);
    expect(wrong.out()).toMatch(/^401 signature_mismatch/);
    expect(seen).toHaveLength(3);
  });
});

describe("hookgate send errors", () => {
  it("an unreachable URL: a clear message, exit 1, and no 1,000 attempts", async () => {
    const { url } = await listen(schemes.stripe({ secret: "whsec_s" }));
    const server = servers.pop()!;
    await new Promise((resolve) => server.close(resolve));
    const { io, err } = captureIO();
    const report = await send(
      url,
      { secret: "whsec_s", fixture: "stripe.invoicePaid", repeat: 1000, concurrency: 4 },
      io,
    );
    expect(report.exitCode).toBe(1);
    expect(err()).toBe(
      `hookgate: cannot reach ${url}: connection refused (ECONNREFUSED). Is the receiver running on that port?\n`,
    );
    expect(report.results.length).toBeLessThanOrEqual(4);
    expect(report.results[0]).toMatchObject({ outcome: "ECONNREFUSED", error: "connection refused" });
  });

  it.each([
    [["not a url", "--secret", "s", "--fixture", "stripe.invoicePaid"], /"not a url" is not a URL/],
    [["ftp://example.com/x", "--secret", "s", "--fixture", "stripe.invoicePaid"], /is not an http\(s\) URL/],
    [
      ["http://localhost/x", "--secret", "s"],
      /send needs a payload: --fixture <provider.event> or --data <file>/,
    ],
    [
      ["http://localhost/x", "--secret", "s", "--fixture", "stripe.invoicePaid", "--data", "x.json"],
      /one of them/,
    ],
    [
      ["http://localhost/x", "--secret", "s", "--fixture", "stripe.refund"],
      /unknown --fixture "stripe.refund"; use one of:\n {2}asana\.events[\s\S]*\n {2}stripe\.checkoutSessionCompleted/,
    ],
    [
      ["http://localhost/x", "--secret", "s", "--data", "missing.json", "--scheme", "stripe"],
      /cannot read --data missing.json: no such file/,
    ],
    [["http://localhost/x", "--fixture", "stripe.invoicePaid"], /--secret is required/],
    [["http://localhost/x", "--secret", "s", "--data", "x.json"], /--scheme is required/],
    [
      ["http://localhost/x", "--secret", "s", "--fixture", "stripe.invoicePaid", "--repeat", "0"],
      /--repeat must be a whole number ≥ 1, not "0"/,
    ],
    [
      ["http://localhost/x", "--secret", "s", "--fixture", "stripe.invoicePaid", "--concurrency", "x"],
      /--concurrency must be a whole number/,
    ],
    [
      ["http://localhost/x", "--secret", "s", "--fixture", "stripe.invoicePaid", "--tamper", "headers"],
      /--tamper is "body" or "signature"/,
    ],
  ])("%j → exit 2", async (args, message) => {
    const { io, err } = captureIO();
    expect(await runCli(["send", ...args], io)).toBe(2);
    expect(err()).toMatch(message);
  });

  it("never follows a redirect: a 3xx is reported and exits 1", async () => {
    let posted = 0;
    const server = createServer((req, res) => {
      if (req.url === "/moved") {
        res.writeHead(307, { location: "/elsewhere" }).end();
      } else {
        posted++;
        res.writeHead(200).end("{}");
      }
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/moved`;
    const { io, out } = captureIO();
    expect(await runCli(["send", url, "--secret", "whsec_x", "--fixture", "stripe.invoicePaid"], io)).toBe(1);
    expect(out()).toMatch(/^307 redirect to \/elsewhere \(not followed\)/);
    expect(posted).toBe(0);
  });

  it("signs a GitHub --data payload without --type as a push, with a note", async () => {
    const { url, seen } = await listen(schemes.github({ secret: "gh" }));
    const dir = mkdtempSync(join(tmpdir(), "hookgate-send-"));
    writeFileSync(join(dir, "push.json"), JSON.stringify(fixtures.github.push()));
    const { io, err } = captureIO();
    io.cwd = dir;
    expect(
      await runCli(["send", url, "--scheme", "github", "--secret", "gh", "--data", "push.json"], io),
    ).toBe(0);
    expect(err()).toMatch(/no --type given, so it is "push"/);
    expect(seen).toEqual(["push"]);
  });
});
