import { describe, expect, it } from "vitest";
import { nextAttempt, retryPolicy } from "../queue/retry-policy.js";
import { schemes } from "../schemes/index.js";
import { createReceiver } from "./create-receiver.js";

const secret = "whsec_respond_unit";
const scheme = schemes.stripe({ secret });
let counter = 0;

/** A signed invoice.paid delivery with a fresh id. */
async function delivery() {
  const rawBody = JSON.stringify({ id: `evt_${++counter}`, type: "invoice.paid", object: "event" });
  const { headers } = await scheme.signRequest({ rawBody });
  return { headers, rawBody };
}

describe("respond: the handler's value as the answer", () => {
  it("sends a JSON value as a 200 application/json", async () => {
    const receiver = createReceiver({ scheme }).respond("invoice.paid", () => ({ status: "ok", n: 1 }));
    const result = await receiver.handle(await delivery());
    expect([result.status, result.outcome, result.headers["content-type"]]).toEqual([
      200,
      "handled",
      "application/json; charset=utf-8",
    ]);
    expect(JSON.parse(result.body)).toEqual({ status: "ok", n: 1 });
  });

  it("sends { status, headers, body } as a whole answer, a string body as text", async () => {
    const receiver = createReceiver({ scheme }).respond("invoice", () => ({
      status: 201,
      headers: { "Content-Type": "text/plain; charset=utf-8", "x-kind": "text" },
      body: "made",
    }));
    const result = await receiver.handle(await delivery());
    expect(result.status).toBe(201);
    expect(result.body).toBe("made");
    expect(result.headers).toMatchObject({ "content-type": "text/plain; charset=utf-8", "x-kind": "text" });
  });

  it("acknowledges undefined with an empty 200", async () => {
    const receiver = createReceiver({ scheme }).respond("invoice.paid", () => undefined);
    const result = await receiver.handle(await delivery());
    expect([result.status, result.body]).toEqual([200, ""]);
  });

  it("answers 500 handler_failed and releases the key for a status out of range or a value that is not JSON", async () => {
    for (const value of [{ status: 700 }, { big: 1n }, () => {}]) {
      const receiver = createReceiver({ scheme }).respond("invoice.paid", () => value);
      const input = await delivery();
      const result = await receiver.handle(input);
      expect(result.error?.code).toBe("handler_failed");
      expect(result.status).toBe(500);
    }
  });

  it("runs the responder instead of on handlers, and refuses a second responder for a type", async () => {
    const ran: string[] = [];
    const receiver = createReceiver({ scheme })
      .on("invoice.paid", () => ran.push("on"))
      .respond("invoice.paid", () => ran.push("respond"));
    expect((await receiver.handle(await delivery())).body).toBe("1");
    expect(ran).toEqual(["respond"]);
    expect(() => receiver.respond("invoice.paid", () => 2)).toThrow(/already has a respond handler/);
  });

  it("refuses a deadlineMs or retry that is not a positive whole number", () => {
    for (const options of [{ deadlineMs: 0 }, { deadlineMs: Number.NaN }, { retry: { attempts: 0 } }]) {
      expect(() => createReceiver({ scheme, ...options })).toThrow(
        expect.objectContaining({ code: "invalid_option" }),
      );
    }
  });
});

describe("retry policy shared by memoryQueue and the deadline guard", () => {
  const policy = retryPolicy("test", { attempts: 3, backoff: 100, inFlightDelayMs: 7 });

  it("backs off exponentially until the attempts are spent", () => {
    expect(nextAttempt(policy, new Error("x"), 1)).toEqual({ afterMs: 100, attempt: 2 });
    expect(nextAttempt(policy, new Error("x"), 2)).toEqual({ afterMs: 200, attempt: 3 });
    expect(nextAttempt(policy, new Error("x"), 3)).toBeUndefined();
  });
});
