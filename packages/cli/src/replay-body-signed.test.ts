import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createReceiver, type Scheme, schemes } from "@hookgate/core";
import { handleNodeRequest, writeNodeResponse } from "@hookgate/core/kit";
import { sqliteJournal } from "@hookgate/sqlite";
import { fixtures, signedFixture, snsSigningKey } from "@hookgate/testing";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { captureIO } from "./internal/test-io.js";
import { runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "hookgate-replay-body-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A local app verifying with `scheme`, recording each verified payload. */
async function app(scheme: Scheme) {
  const receiver = createReceiver({ scheme });
  const payloads: unknown[] = [];
  receiver.onAny((event) => {
    payloads.push(event.payload);
  });
  const server = createServer((req, res) => {
    void handleNodeRequest(receiver, req).then((answer) => writeNodeResponse(res, answer));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks`, payloads };
}

/** Records one delivery in a fresh SQLite journal, as a production receiver would. */
async function journaled(scheme: Scheme, fixture: { headers: Record<string, string>; body: string }) {
  const path = join(dir, `journal-${Math.random().toString(36).slice(2)}.db`);
  const journal = sqliteJournal({ path });
  // SNS verifies with AWS's public certificates: the receiver seals its journal rows with its own key.
  const receiver = createReceiver({ scheme, journal, sealKey: "replay-test-seal-key-0123456789" });
  receiver.onAny(() => {});
  const answer = await receiver.handle({ method: "POST", headers: fixture.headers, rawBody: fixture.body });
  expect(answer.status).toBe(200);
  const [entry] = (await journal.list({ limit: 1 })).entries;
  await journal.close();
  return { journal: `sqlite:${path}`, id: entry!.id };
}

describe("hookgate replay --to, for schemes that sign inside the body", () => {
  it("mailgun: the stored event is re-signed with the test key, the signature rewritten in the body", async () => {
    const live = schemes.mailgun({ secret: "key-live" });
    const event = fixtures.mailgun.delivered();
    const { journal, id } = await journaled(live, await signedFixture(live, event));
    const target = await app(schemes.mailgun({ secret: "key-test" }));
    const { io, out } = captureIO();
    const code = await runCli(
      ["replay", id, "--journal", journal, "--to", target.url, "--secret", "key-test"],
      io,
    );
    expect({ code, out: out() }).toMatchObject({ code: 0, out: expect.stringContaining("1 of 1 replayed") });
    expect(target.payloads).toEqual([{ ...event, signature: expect.objectContaining({ token: id }) }]);
  });

  it("aws-sns: the stored Message is re-wrapped in a Notification signed with the test key", async () => {
    const topicArn = "arn:aws:sns:us-east-1:123456789012:receipts";
    const [liveKey, testKey] = [await snsSigningKey(), await snsSigningKey()];
    const verifier = (key: typeof liveKey) =>
      schemes.awsSns({ topicArn, fetchCertificate: async () => key.certificate, signingKey: key });
    const message = fixtures.awsSns.sesDelivery();
    const { journal, id } = await journaled(
      verifier(liveKey),
      await signedFixture(verifier(liveKey), message),
    );
    const target = await app(verifier(testKey));
    writeFileSync(join(dir, "test-key.pem"), testKey.privateKey);
    const { io, out } = captureIO(undefined, { cwd: dir });
    const args = ["replay", id, "--journal", journal, "--to", target.url, "--secret", "test-key.pem"];
    const code = await runCli(
      [...args, "--topic-arn", topicArn, "--certificate-url", testKey.certificateUrl],
      io,
    );
    expect({ code, out: out() }).toMatchObject({ code: 0, out: expect.stringContaining("1 of 1 replayed") });
    expect(target.payloads).toEqual([
      expect.objectContaining({ MessageId: id, Message: JSON.stringify(message) }),
    ]);
  });
});
