import { createReceiver, schemes } from "@hookgate/core";
import { afterEach, describe, expect, it } from "vitest";
import { type Answer, codeOf, type Running, routes, serve } from "./support.js";

// Holes 1, 7 and 12: Twilio signs the URL (plus the sorted form fields), so a sender holding one
// genuine signature can move the body, the URL and the fields around it.

const FORM = "application/x-www-form-urlencoded";
const token = "twilio_auth_token_hostile";
const scheme = schemes.twilio({ secret: token });
const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});

async function start(route: (typeof routes)[number]) {
  const receiver = createReceiver({ scheme });
  const seen: { type: string; payload: Record<string, unknown> }[] = [];
  receiver.onAny((event) => void seen.push({ type: event.type, payload: event.payload as never }));
  const app = await serve(route, receiver, "/twilio");
  running.push(app);
  return { app, seen };
}

const forged = JSON.stringify({ type: "message.received", MessageSid: "SM1", Body: "forged: wire $9,999" });

function accepted(answer: Answer): boolean {
  return answer.status >= 200 && answer.status < 300;
}

describe("hole 1: a Twilio JSON body not covered by bodySHA256 is refused", () => {
  for (const route of routes) {
    it(`hole 1: a URL-only signature (a GET or an empty POST) does not vouch for a JSON body (${route})`, async () => {
      const { app, seen } = await start(route);
      const path = "/twilio?account=AC1";
      // What Twilio signs for a request without form fields: the URL alone.
      const captured = await scheme.sign({ rawBody: "", url: `${app.origin}${path}`, contentType: FORM });
      const answer = await app.send({
        path,
        headers: { ...captured, "content-type": "application/json" },
        body: forged,
      });
      expect(accepted(answer), answer.body).toBe(false);
      expect(answer.status).toBe(401);
      expect(seen).toEqual([]);
    });

    it(`hole 1: a captured form callback reposted as JSON to URL+params is refused (${route})`, async () => {
      const { app, seen } = await start(route);
      const path = "/twilio?account=";
      const form = "MessageSid=SM1&MessageStatus=delivered";
      const captured = await scheme.sign({ rawBody: form, url: `${app.origin}${path}`, contentType: FORM });
      // Signed content is URL + "MessageSidSM1MessageStatusdelivered": post to exactly that URL,
      // so a URL-only check matches, with a JSON body of the attacker's choosing.
      const answer = await app.send({
        path: `${path}MessageSidSM1MessageStatusdelivered`,
        headers: { ...captured, "content-type": "application/json" },
        body: forged,
      });
      expect(accepted(answer), answer.body).toBe(false);
      expect(answer.status).toBe(401);
      expect(seen).toEqual([]);
    });
  }
});

describe("hole 7: a malformed Host gives 4xx for Twilio, never 500", () => {
  const hosts = ["a b", "[::1", "x:99999", "%"];
  for (const route of ["handle", "express"] as const) {
    for (const host of hosts) {
      it(`hole 7: Host ${JSON.stringify(host)} is a client mistake (${route})`, async () => {
        const { app, seen } = await start(route);
        const form = "CallSid=CA1&CallStatus=completed";
        const captured = await scheme.sign({
          rawBody: form,
          url: "https://example.com/twilio",
          contentType: FORM,
        });
        const answer = await app.send({
          path: "/twilio",
          host,
          headers: { ...captured, "content-type": FORM },
          body: form,
        });
        expect(answer.status, answer.body).toBeGreaterThanOrEqual(400);
        expect(answer.status, answer.body).toBeLessThan(500);
        // hookgate's own answer, not the HTTP parser's: the request reached the receiver.
        expect(codeOf(answer)).toBeDefined();
        expect(seen).toEqual([]);
      });
    }
  }
});

describe("hole 12: a repeated signed Twilio field changes neither payload nor type", () => {
  for (const route of routes) {
    it(`hole 12: MessageStatus=delivered sent twice is still message.delivered (${route})`, async () => {
      const { app, seen } = await start(route);
      const path = "/twilio";
      const form = "MessageSid=SM1&MessageStatus=delivered";
      const captured = await scheme.sign({ rawBody: form, url: `${app.origin}${path}`, contentType: FORM });
      const answer = await app.send({
        path,
        headers: { ...captured, "content-type": FORM },
        body: `${form}&MessageStatus=delivered`,
      });
      // The signature (de-duplicated as twilio-node signs it) verifies; the payload must say the
      // same thing the signature covers, or the request must be refused.
      if (accepted(answer)) {
        expect(seen).toHaveLength(1);
        expect(seen[0]!.type).toBe("message.delivered");
        expect(seen[0]!.payload.MessageStatus).toBe("delivered");
      } else {
        expect(answer.status, codeOf(answer)).toBeLessThan(500);
        expect(seen).toEqual([]);
      }
    });
  }
});
