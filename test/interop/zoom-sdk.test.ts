/**
 * Zoom's official Node SDK (`@zoom/rivet`) checks what hookgate's `zoom` scheme signs: its
 * `AwsLambdaReceiver` verifies `x-zm-signature` and answers `endpoint.url_validation` itself, so
 * hookgate's answer to the same validation must be byte-for-byte Rivet's. Rivet does not sign
 * deliveries; the other direction is the documented algorithm (test/interop's helpers and
 * packages/core's scheme tests).
 */
import { schemes, verify } from "@hookgate/core";
import { AwsLambdaReceiver } from "@zoom/rivet/meetings";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { describeEachCryptoBackend, expectCryptoBackend, header, randomSecret, tamper } from "./helpers.js";

type EventManager = NonNullable<Parameters<AwsLambdaReceiver["init"]>[0]["eventEmitter"]>;

/** Rivet's Lambda receiver with a recording event manager; returns its handler and what it emitted. */
function rivet(secretToken: string) {
  const emitted: { event: string; payload: unknown }[] = [];
  const receiver = new AwsLambdaReceiver({ webhooksSecretToken: secretToken });
  const eventEmitter = {
    emit: async (event: string, payload: unknown) => void emitted.push({ event, payload }),
  } as unknown as EventManager;
  receiver.init({ eventEmitter });
  const handler = receiver.start();
  const deliver = async (body: string, headers: Record<string, string>) => {
    // Typed as an aws-lambda Handler (event, context, callback); Rivet's returns its result.
    const result = (await handler(
      { body, headers, isBase64Encoded: false } as unknown as Parameters<typeof handler>[0],
      {} as Parameters<typeof handler>[1],
      () => {},
    )) as { statusCode: number; body?: string };
    return { statusCode: result.statusCode, body: JSON.parse(result.body ?? "null") as unknown };
  };
  return { deliver, emitted };
}

const event = JSON.stringify({
  event: "meeting.started",
  event_ts: 1767261600000,
  payload: {
    account_id: "AAAAAABBBB",
    object: { id: "1234567890", uuid: "4444AAAiAAAAAiAiAiiAii==", topic: "Équipe — weekly", type: 2 },
  },
});

describeEachCryptoBackend("Zoom (@zoom/rivet) ← hookgate", (backend) => {
  const secretToken = randomSecret();
  const scheme = schemes.zoom({ secret: secretToken });

  // Rivet logs every Lambda event at debug level.
  beforeAll(() => void vi.spyOn(console, "debug").mockImplementation(() => undefined));
  afterAll(() => vi.restoreAllMocks());

  it(`runs hookgate on ${backend}`, async () => {
    await expectCryptoBackend(backend, () => scheme.sign({ rawBody: event }));
  });

  describe("hookgate sign → Rivet's receiver", () => {
    it("Rivet accepts hookgate's delivery and emits the event", async () => {
      const { deliver, emitted } = rivet(secretToken);
      const headers = await scheme.sign({ rawBody: event });
      expect(header(headers, "x-zm-signature")).toMatch(/^v0=[0-9a-f]{64}$/);
      const answer = await deliver(event, headers);
      expect(answer).toEqual({ statusCode: 200, body: { message: "Zoom event processed successfully." } });
      expect(emitted).toEqual([{ event: "meeting.started", payload: JSON.parse(event) }]);
    });

    it("Rivet refuses hookgate's delivery for another secret token or a tampered body", async () => {
      const headers = await scheme.sign({ rawBody: event });
      const other = rivet(randomSecret());
      expect((await other.deliver(event, headers)).statusCode).toBe(400);
      expect(other.emitted).toEqual([]);
      const same = rivet(secretToken);
      expect((await same.deliver(tamper(event), headers)).statusCode).toBe(400);
      expect(same.emitted).toEqual([]);
    });

    it("the same delivery verifies in hookgate, typed by its event", async () => {
      const headers = await scheme.sign({ rawBody: event });
      await expect(verify(scheme, { headers, rawBody: event })).resolves.toMatchObject({
        type: "meeting.started",
        scheme: "zoom",
      });
    });
  });

  describe("endpoint.url_validation: hookgate answers exactly as Rivet does", () => {
    const validation = JSON.stringify({
      payload: { plainToken: "qgg8vlvZRS6UYooatFL8Aw" },
      event_ts: 1654503849680,
      event: "endpoint.url_validation",
    });

    it("hookgate's challenge reply equals Rivet's for the same signed request", async () => {
      const headers = await scheme.sign({ rawBody: validation });
      const fromRivet = await rivet(secretToken).deliver(validation, headers);
      expect(fromRivet.statusCode).toBe(200);
      const fromHookgate = await scheme.challenge!({
        method: "POST",
        url: "https://example.com/zoom",
        headers,
        rawBody: new TextEncoder().encode(validation),
      });
      expect(fromHookgate).toEqual({ body: fromRivet.body });
      expect(fromRivet.body).toMatchObject({ plainToken: "qgg8vlvZRS6UYooatFL8Aw" });
    });

    it("with two secrets, hookgate answers with the one that verified, as Rivet holding that one does", async () => {
      const newToken = randomSecret();
      const rotating = schemes.zoom({ secret: [secretToken, newToken] });
      const headers = await schemes.zoom({ secret: newToken }).sign({ rawBody: validation });
      const fromRivet = await rivet(newToken).deliver(validation, headers);
      const fromHookgate = await rotating.challenge!({
        method: "POST",
        url: undefined,
        headers,
        rawBody: new TextEncoder().encode(validation),
      });
      expect(fromHookgate).toEqual({ body: fromRivet.body });
    });

    it("negative: neither answers a validation signed with another secret", async () => {
      const headers = await schemes.zoom({ secret: randomSecret() }).sign({ rawBody: validation });
      expect((await rivet(secretToken).deliver(validation, headers)).statusCode).toBe(400);
      await expect(
        scheme.challenge!({
          method: "POST",
          url: undefined,
          headers,
          rawBody: new TextEncoder().encode(validation),
        }),
      ).rejects.toMatchObject({ code: "signature_mismatch" });
    });
  });
});
