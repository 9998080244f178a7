import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { schemeNameOf, schemes, verify } from "@hookgate/core";
import { fixtures, snsSigningKey } from "@hookgate/testing";
import { describe, expect, it } from "vitest";
import { SCHEME_NAMES } from "./internal/inputs.js";
import { captureIO } from "./internal/test-io.js";
import { runCli } from "./run-cli.js";

const parseHeaders = (text: string) =>
  Object.fromEntries(
    text
      .trim()
      .split("\n")
      .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]),
  );

const event = JSON.stringify(fixtures.stripe.invoicePaid());
const stripe = schemes.stripe({ secret: "whsec_cli" });

describe("hookgate sign", () => {
  it("prints the headers that verify the payload read from stdin", async () => {
    const { io, out } = captureIO(event);
    expect(await runCli(["sign", "--scheme", "stripe", "--secret", "whsec_cli"], io)).toBe(0);
    const headers = parseHeaders(out());
    expect(headers["stripe-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(headers["content-type"]).toBe("application/json");
    await expect(verify(stripe, { headers, rawBody: event })).resolves.toMatchObject({
      type: "invoice.paid",
    });
  });

  it("signs the bytes as given, trailing newline included", async () => {
    const { io, out } = captureIO(`${event}\n`);
    await runCli(["sign", "--scheme", "stripe", "--secret", "whsec_cli"], io);
    const headers = parseHeaders(out());
    await expect(verify(stripe, { headers, rawBody: `${event}\n` })).resolves.toBeDefined();
    await expect(verify(stripe, { headers, rawBody: event })).rejects.toMatchObject({
      code: "signature_mismatch",
    });
  });

  it("--json, --id and --timestamp", async () => {
    const body = JSON.stringify({ type: "invoice.paid", data: {} });
    const { io, out } = captureIO(body);
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const args = ["sign", "--scheme", "standard-webhooks", "--secret", secret, "--id", "msg_1"];
    expect(await runCli([...args, "--timestamp", "1700000000", "--json"], io)).toBe(0);
    const headers = JSON.parse(out()) as Record<string, string>;
    expect(headers).toMatchObject({ "webhook-id": "msg_1", "webhook-timestamp": "1700000000" });
    await expect(
      verify(
        schemes.standardWebhooks({ secret }),
        { headers, rawBody: body },
        { now: new Date(1_700_000_000_000) },
      ),
    ).resolves.toMatchObject({ id: "msg_1" });
  });

  it('--timestamp "10m ago" makes a stale delivery, and an ISO date is taken too', async () => {
    const stale = captureIO(event);
    await runCli(["sign", "--scheme", "stripe", "--secret", "whsec_cli", "--timestamp", "10m ago"], stale.io);
    await expect(
      verify(stripe, { headers: parseHeaders(stale.out()), rawBody: event }),
    ).rejects.toMatchObject({
      code: "timestamp_too_old",
    });
    const iso = captureIO(event);
    await runCli(
      ["sign", "--scheme", "stripe", "--secret", "whsec_cli", "--timestamp", "2026-03-01T12:00:00Z"],
      iso.io,
    );
    expect(parseHeaders(iso.out())["stripe-signature"]).toMatch(/^t=1772366400,/);
  });

  it("--data reads the payload from a file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hookgate-sign-"));
    writeFileSync(join(dir, "event.json"), event);
    const { io, out } = captureIO(undefined, { cwd: dir });
    expect(
      await runCli(["sign", "--scheme", "stripe", "--secret", "whsec_cli", "--data", "event.json"], io),
    ).toBe(0);
    await expect(verify(stripe, { headers: parseHeaders(out()), rawBody: event })).resolves.toBeDefined();
  });

  it("--url for Twilio, --type for GitHub", async () => {
    const form = "MessageSid=SM1&SmsStatus=received&Body=Hi";
    const twilio = captureIO(form);
    const url = "https://example.com/sms";
    expect(await runCli(["sign", "--scheme", "twilio", "--secret", "tok", "--url", url], twilio.io)).toBe(0);
    await expect(
      verify(schemes.twilio({ secret: "tok" }), { headers: parseHeaders(twilio.out()), rawBody: form, url }),
    ).resolves.toMatchObject({ type: "message.received" });
    const github = captureIO(JSON.stringify(fixtures.github.push()));
    expect(await runCli(["sign", "--scheme", "github", "--secret", "s", "--type", "push"], github.io)).toBe(
      0,
    );
    expect(parseHeaders(github.out())["x-github-event"]).toBe("push");
  });

  it.each([
    [[], undefined, /--scheme is required: one of standard-webhooks, stripe, github/],
    [["--scheme", "acme", "--secret", "s"], undefined, /unknown --scheme "acme"; use one of/],
    [["--scheme", "stripe"], undefined, /--secret is required/],
    [["--scheme", "discord"], undefined, /--secret is required: .*discord, the private key/],
    [["--scheme", "twilio", "--secret", "s"], undefined, /twilio signs the URL it posts to: pass --url/],
    [["--scheme", "stripe", "--secret", "s"], "tty", /pipe the payload on stdin/],
    [["--scheme", "stripe", "--secret", "s"], "", /the payload is empty/],
    [
      ["--scheme", "stripe", "--secret", "s", "--data", "nope.json"],
      undefined,
      /cannot read --data nope.json: no such file/,
    ],
    [
      ["--scheme", "stripe", "--secret", "s", "--timestamp", "yesterday"],
      undefined,
      /--timestamp "yesterday" is not a time/,
    ],
    [["--scheme", "standard-webhooks", "--secret", "whsec_!!!"], undefined, /standard-webhooks.*base64/],
    [["--scheme", "discord", "--secret", "abc"], undefined, /64 hex characters/],
  ])("%j → exit 2 with a clear message", async (args, stdin, message) => {
    const { io, err } = captureIO(stdin === "tty" ? undefined : (stdin ?? event));
    expect(await runCli(["sign", ...args], io)).toBe(2);
    expect(err()).toMatch(message);
  });

  it("signs a GitHub payload without --type as its first fixture's event, with a note", async () => {
    const { io, out, err } = captureIO(event);
    expect(await runCli(["sign", "--scheme", "github", "--secret", "s"], io)).toBe(0);
    expect(out()).toMatch(/^x-hub-signature-256: sha256=[0-9a-f]{64}$/m);
    expect(out()).toMatch(/^x-github-event: push$/m);
    expect(err()).toMatch(
      /note: github sends the event type in the x-github-event header; no --type given, so it is "push"/,
    );
  });

  it("notes that --timestamp changes nothing for a scheme that signs no timestamp", async () => {
    const { io, err } = captureIO(event);
    expect(
      await runCli(
        ["sign", "--scheme", "github", "--secret", "s", "--type", "push", "--timestamp", "10m ago"],
        io,
      ),
    ).toBe(0);
    expect(err()).toMatch(/github signs no timestamp, so --timestamp changes nothing/);
  });

  it("reads the payload from stdin with --data -", async () => {
    const { io, out } = captureIO(event);
    expect(
      await runCli(["sign", "--scheme", "stripe", "--secret", "whsec_x", "--data", "-", "--json"], io),
    ).toBe(0);
    expect(JSON.parse(out())).toHaveProperty("stripe-signature");
  });

  it("warns when a Linear payload has no webhookTimestamp", async () => {
    const { io, err } = captureIO(JSON.stringify({ type: "Issue", action: "create" }));
    expect(await runCli(["sign", "--scheme", "linear", "--secret", "s"], io)).toBe(0);
    expect(err()).toMatch(/webhookTimestamp/);
  });
});

/** Headers, a blank line, then the signed body: what `sign` prints for schemes that sign inside the body. */
const parseMessage = (text: string) => {
  const at = text.indexOf("\n\n");
  return { headers: parseHeaders(text.slice(0, at)), body: text.slice(at + 2, -1) };
};

describe("hookgate sign: every scheme", () => {
  it("accepts exactly the keys of `schemes` as --scheme names", async () => {
    const every = Object.keys(schemes).map((key) => schemeNameOf(key as keyof typeof schemes));
    expect([...SCHEME_NAMES].sort()).toEqual([...every].sort());
    const { io, err } = captureIO(event);
    expect(await runCli(["sign"], io)).toBe(2);
    for (const name of every) expect(err()).toContain(name);
    for (const key of Object.keys(schemes)) {
      const run = captureIO(event);
      await runCli(["sign", "--scheme", key, "--secret", "s"], run.io);
      expect(run.err(), key).not.toMatch(/unknown --scheme/);
    }
  });

  it("mailgun: prints the headers, a blank line and the body with the signature written in", async () => {
    const payload = JSON.stringify(fixtures.mailgun.delivered());
    const { io, out } = captureIO(payload);
    expect(await runCli(["sign", "--scheme", "mailgun", "--secret", "key-mg", "--id", "tok-1"], io)).toBe(0);
    const { headers, body } = parseMessage(out());
    expect(headers).toEqual({ "content-type": "application/json" });
    expect(JSON.parse(body).signature).toMatchObject({
      token: "tok-1",
      signature: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    await expect(
      verify(schemes.mailgun({ secret: "key-mg" }), { headers, rawBody: body }),
    ).resolves.toMatchObject({
      id: "tok-1",
      type: "delivered",
    });
    const json = captureIO(payload);
    expect(await runCli(["sign", "--scheme", "mailgun", "--secret", "key-mg", "--json"], json.io)).toBe(0);
    const signed = JSON.parse(json.out()) as { headers: Record<string, string>; body: string };
    await expect(
      verify(schemes.mailgun({ secret: "key-mg" }), { headers: signed.headers, rawBody: signed.body }),
    ).resolves.toBeDefined();
  });

  it("aws-sns: --secret is the private key file; prints the signed Notification wrapping the payload", async () => {
    const key = await snsSigningKey();
    const dir = mkdtempSync(join(tmpdir(), "hookgate-sns-"));
    writeFileSync(join(dir, "sns-key.pem"), key.privateKey);
    const topicArn = "arn:aws:sns:us-east-1:123456789012:orders";
    const message = JSON.stringify({ orderId: 42 });
    const { io, out } = captureIO(message, { cwd: dir });
    const args = ["sign", "--scheme", "aws-sns", "--secret", "sns-key.pem", "--topic-arn", topicArn];
    expect(await runCli([...args, "--certificate-url", key.certificateUrl, "--id", "m-1"], io)).toBe(0);
    const { headers, body } = parseMessage(out());
    expect(headers).toMatchObject({
      "x-amz-sns-message-type": "Notification",
      "x-amz-sns-topic-arn": topicArn,
    });
    const receiver = schemes.awsSns({ topicArn, fetchCertificate: async () => key.certificate });
    const delivery = await verify(receiver, { headers, rawBody: body });
    expect(delivery).toMatchObject({ id: "m-1", type: "Notification", payload: { Message: message } });
  });

  it("hmac: --header, --prefix and --timestamp-header configure it", async () => {
    const { io, out } = captureIO(event);
    const args = [
      "sign",
      "--scheme",
      "hmac",
      "--secret",
      "s3",
      "--header",
      "X-Acme-Signature",
      "--prefix",
      "sha256=",
    ];
    expect(await runCli([...args, "--timestamp-header", "x-acme-timestamp"], io)).toBe(0);
    const headers = parseHeaders(out());
    expect(headers["x-acme-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    const scheme = schemes.hmac({
      secret: "s3",
      header: "x-acme-signature",
      prefix: "sha256=",
      timestampHeader: "x-acme-timestamp",
    });
    await expect(verify(scheme, { headers, rawBody: event })).resolves.toMatchObject({
      type: "invoice.paid",
    });
  });

  it.each([
    [
      ["--scheme", "aws-sns", "--secret", "k.pem"],
      /aws-sns is configured by more than a secret: pass --topic-arn and --certificate-url/,
    ],
    [
      [
        "--scheme",
        "aws-sns",
        "--secret",
        "missing.pem",
        "--topic-arn",
        "arn:aws:sns:us-east-1:1:t",
        "--certificate-url",
        "https://sns.us-east-1.amazonaws.com/c.pem",
      ],
      /cannot read --secret missing.pem: no such file \(for aws-sns, --secret is a PEM file/,
    ],
    [["--scheme", "aws-sns"], /--secret is required: for aws-sns, a PEM file of the RSA private key/],
    [["--scheme", "hmac", "--secret", "s"], /hmac is configured by more than a secret: pass --header/],
  ])("%j → exit 2 with a clear message", async (args, message) => {
    const { io, err } = captureIO(event, { cwd: tmpdir() });
    expect(await runCli(["sign", ...args], io)).toBe(2);
    expect(err()).toMatch(message);
  });
});
