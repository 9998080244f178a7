import { randomBytes, randomUUID } from "node:crypto";
import { createReceiver, type Receiver, type ReceiverOptions, schemes } from "@hookgate/core";
import { afterEach, describe, expect, it, vi } from "vitest";

/** How a scenario wants the app around the adapter set up. */
export interface StartOptions {
  /** Mount the framework's usual body parser (express.json(), koa-bodyparser…) before the webhook route. */
  bodyParserFirst?: boolean;
  /** Passed on as the adapter's `publicUrl` option. */
  publicUrl?: string;
}

/** A request body: text, or bytes (a Buffer). */
export type Body = string | Uint8Array<ArrayBuffer>;

/** An answer, read the same way whatever client sent the request. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** A running app with the adapter mounted on its webhook route. */
export interface StartedApp {
  /** The webhook route's full URL, as a client addresses it. */
  url: string;
  /** Posts a body to `url`; by default with `fetch`. Express and Koa post through supertest. */
  post?(headers: Record<string, string>, body: Body): Promise<Answer>;
  /** Sends any request to the app (used for streamed bodies). @default globalThis.fetch */
  fetch?(request: Request): Promise<Response>;
  close(): Promise<void>;
}

/** One adapter, set up one way, under the shared scenarios. */
export interface AdapterUnderTest {
  name: string;
  start(receiver: Receiver, options: StartOptions): Promise<StartedApp>;
  /** A name the raw_body_required error must mention when `bodyParserFirst` is set. */
  bodyParser: string;
  /** Whether the adapter finds the client address by itself (for `allowIps`). */
  clientIp: boolean;
}

const secret = `whsec_${randomBytes(24).toString("hex")}`;
const twilioToken = randomBytes(16).toString("hex");

/** A Stripe-shaped event; `extra` fields are merged in. */
export function stripeEvent(extra: Record<string, unknown> = {}): { id: string; body: string } {
  const id = `evt_${randomUUID().replaceAll("-", "")}`;
  const body = JSON.stringify(
    {
      id,
      object: "event",
      type: "invoice.paid",
      data: { object: { id: "in_1", amount_paid: 2000 } },
      ...extra,
    },
    null,
    2,
  );
  return { id, body };
}

/** The body with one character changed, as an attacker or a rewriting proxy would. */
function tamper(body: string): string {
  return body.replace('"amount_paid": 2000', '"amount_paid": 2001');
}

async function readAnswer(response: Response): Promise<Answer> {
  return { status: response.status, headers: response.headers, text: await response.text() };
}

function errorCode(answer: Answer): unknown {
  return (JSON.parse(answer.text) as { error?: { code?: unknown } }).error?.code;
}

/**
 * Registers the scenarios every adapter must pass: signed, tampered, expired, unsigned and
 * oversized requests, duplicates, a body parser mounted first, large and multi-byte bodies
 * verified byte for byte, the URL Twilio signs, and the client address.
 */
export function adapterScenarios(adapter: AdapterUnderTest): void {
  describe(adapter.name, () => {
    const running: StartedApp[] = [];
    afterEach(async () => {
      await Promise.all(running.splice(0).map((app) => app.close()));
      vi.restoreAllMocks();
    });

    /** A Stripe receiver that records every event it handles, and the app around it. */
    async function setup(options: Partial<ReceiverOptions> = {}, start: StartOptions = {}) {
      const receiver = createReceiver({ scheme: schemes.stripe({ secret }), ...options });
      const handled: Array<{ id: string; type: string; rawBody: Uint8Array; payload: unknown }> = [];
      receiver.onAny((event) => {
        handled.push(event);
      });
      const app = await adapter.start(receiver, start);
      running.push(app);
      const post = async (headers: Record<string, string>, body: Body): Promise<Answer> =>
        app.post
          ? app.post(headers, body)
          : readAnswer(await fetch(app.url, { method: "POST", headers, body }));
      return { receiver, app, handled, post };
    }

    async function signed(body: Body, timestamp?: Date): Promise<Record<string, string>> {
      return schemes.stripe({ secret }).sign({ rawBody: body, timestamp });
    }

    it("accepts a correctly signed delivery and runs its handler", async () => {
      const { post, handled } = await setup();
      const { id, body } = stripeEvent();
      const answer = await post(await signed(body), body);
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ status: "handled", id });
      expect(answer.headers.get("content-type")).toMatch(/^application\/json/);
      expect(handled).toHaveLength(1);
      expect(handled[0]).toMatchObject({ id, type: "invoice.paid", payload: JSON.parse(body) });
    });

    it("refuses a tampered body with 401 signature_mismatch", async () => {
      const { post, handled } = await setup();
      const { body } = stripeEvent();
      const answer = await post(await signed(body), tamper(body));
      expect(answer.status).toBe(401);
      expect(errorCode(answer)).toBe("signature_mismatch");
      expect(handled).toHaveLength(0);
    });

    it("refuses an expired signature with 401 timestamp_too_old", async () => {
      const { post, handled } = await setup({ tolerance: 300 });
      const { body } = stripeEvent();
      const answer = await post(await signed(body, new Date(Date.now() - 301_000)), body);
      expect(answer.status).toBe(401);
      expect(errorCode(answer)).toBe("timestamp_too_old");
      expect(handled).toHaveLength(0);
    });

    it("refuses an unsigned delivery with 400 missing_signature", async () => {
      const { post, handled } = await setup();
      const { body } = stripeEvent();
      const answer = await post({ "content-type": "application/json" }, body);
      expect(answer.status).toBe(400);
      expect(errorCode(answer)).toBe("missing_signature");
      expect(handled).toHaveLength(0);
    });

    it("refuses a body over maxBodyBytes with 413 body_too_large", async () => {
      const { post, handled } = await setup({ maxBodyBytes: 1024 });
      const { body } = stripeEvent({ padding: "x".repeat(2048) });
      const answer = await post(await signed(body), body);
      expect(answer.status).toBe(413);
      expect(errorCode(answer)).toBe("body_too_large");
      expect(handled).toHaveLength(0);
    });

    it("refuses a streamed body (no Content-Length) once it passes maxBodyBytes", async () => {
      const { app, handled } = await setup({ maxBodyBytes: 1024 });
      const { body } = stripeEvent({ padding: "x".repeat(4096) });
      const headers = await signed(body);
      const bytes = new TextEncoder().encode(body);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 512) controller.enqueue(bytes.subarray(i, i + 512));
          controller.close();
        },
      });
      const request = new Request(app.url, {
        method: "POST",
        headers,
        body: stream,
        duplex: "half",
      } as RequestInit);
      expect(request.headers.get("content-length")).toBeNull();
      const answer = await readAnswer(await (app.fetch ?? fetch)(request));
      expect(answer.status).toBe(413);
      expect(errorCode(answer)).toBe("body_too_large");
      expect(handled).toHaveLength(0);
    });

    it("acknowledges a duplicate with 200 without running the handler again", async () => {
      const { post, handled } = await setup();
      const { id, body } = stripeEvent();
      const headers = await signed(body);
      const first = await post(headers, body);
      const second = await post(headers, body);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(JSON.parse(first.text)).toEqual({ status: "handled", id });
      expect(JSON.parse(second.text)).toEqual({ status: "duplicate", id });
      expect(handled).toHaveLength(1);
    });

    it("explains a body parser mounted before the route: 500 raw_body_required, logged once", async () => {
      const log = vi.spyOn(console, "error").mockImplementation(() => {});
      const { post, handled } = await setup({}, { bodyParserFirst: true });
      for (let i = 0; i < 2; i++) {
        const { body } = stripeEvent();
        const answer = await post(await signed(body), body);
        expect(answer.status).toBe(500);
        const { error } = JSON.parse(answer.text) as { error: { code: string; message: string } };
        expect(error.code).toBe("raw_body_required");
        expect(error.message).toContain(adapter.bodyParser);
        expect(error.message).toMatch(/mount the webhook route before any body parser/);
        expect(error.message).not.toMatch(/signature/i);
      }
      expect(log).toHaveBeenCalledTimes(1);
      expect(String(log.mock.calls[0]?.[0])).toContain(adapter.bodyParser);
      expect(handled).toHaveLength(0);
    });

    it("verifies a 2 MiB body byte for byte", async () => {
      const { post, handled } = await setup({ maxBodyBytes: 4 << 20 });
      const { id, body } = stripeEvent({ blob: randomBytes(3 << 19).toString("base64") });
      expect(body.length).toBeGreaterThan(2 << 20);
      const answer = await post(await signed(body), body);
      expect(answer.status).toBe(200);
      expect(handled.map((event) => event.id)).toEqual([id]);
      expect(Buffer.from(handled[0]!.rawBody).equals(Buffer.from(body))).toBe(true);
    });

    it("verifies multi-byte UTF-8 and CRLF line breaks byte for byte", async () => {
      const { post, handled } = await setup();
      const { id, body: json } = stripeEvent({ note: "héllo — 日本語 ✓ 🎉", lines: "a\r\nb" });
      const body = json.replaceAll("\n", "\r\n"); // JSON whitespace as a Windows sender writes it
      const bytes = Buffer.from(body, "utf8");
      expect(bytes.length).toBeGreaterThan(body.length);
      const answer = await post(await signed(bytes), bytes);
      expect(answer.status).toBe(200);
      expect(handled.map((event) => event.id)).toEqual([id]);
      expect(Buffer.from(handled[0]!.rawBody).equals(bytes)).toBe(true);
      expect(handled[0]!.payload).toMatchObject({ note: "héllo — 日本語 ✓ 🎉", lines: "a\r\nb" });
    });

    describe("the public URL (Twilio signs it)", () => {
      const form = "MessageSid=SM123&MessageStatus=delivered&Body=h%C3%A9llo+w%C3%B6rld";
      const twilio = schemes.twilio({ secret: twilioToken });

      async function twilioApp(start: StartOptions) {
        const receiver = createReceiver({ scheme: twilio });
        const handled = vi.fn();
        receiver.onAny(handled);
        const app = await adapter.start(receiver, start);
        running.push(app);
        const post = async (headers: Record<string, string>) =>
          app.post
            ? app.post(headers, form)
            : readAnswer(await fetch(app.url, { method: "POST", headers, body: form }));
        return { app, post, handled };
      }

      it("is derived from the request", async () => {
        const { app, post, handled } = await twilioApp({});
        const answer = await post(await twilio.sign({ rawBody: form, url: app.url }));
        expect(answer.status).toBe(200);
        expect(handled).toHaveBeenCalledTimes(1);
        expect(handled.mock.calls[0]?.[0]).toMatchObject({ type: "message.delivered" });
      });

      it("is taken from publicUrl behind a proxy", async () => {
        const publicUrl = "https://hooks.example.com/twilio/sms?account=main";
        const headers = await twilio.sign({ rawBody: form, url: publicUrl });
        const behindProxy = await twilioApp({ publicUrl });
        expect((await behindProxy.post(headers)).status).toBe(200);
        expect(behindProxy.handled).toHaveBeenCalledTimes(1);

        const derived = await twilioApp({});
        const answer = await derived.post(headers);
        expect(answer.status).toBe(401);
        expect(errorCode(answer)).toBe("signature_mismatch");
      });
    });

    if (adapter.clientIp) {
      it("gives the client address to allowIps", async () => {
        const { body } = stripeEvent();
        const local = await setup({ allowIps: ["127.0.0.1", "::1"] });
        expect((await local.post(await signed(body), body)).status).toBe(200);

        const elsewhere = await setup({ allowIps: ["203.0.113.0/24"] });
        const answer = await elsewhere.post(await signed(body), body);
        expect(answer.status).toBe(403);
        expect(errorCode(answer)).toBe("forbidden_ip");
        expect(elsewhere.handled).toHaveLength(0);
      });
    }
  });
}
