import { createReceiver, parseForm, schemes } from "@hookgate/core";
import { afterEach, describe, expect, it } from "vitest";
import { type Answer, anything, freshId, type Running, routes, serve } from "./support.js";

// Holes 2, 8 and 9: what reads a signed body, and what the parsed body can do to the objects
// hookgate builds from it.

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});

type Seen = { type: string; id: string; payload: unknown };

async function start(route: (typeof routes)[number], options: Parameters<typeof createReceiver>[0]) {
  const receiver = createReceiver(options);
  const seen: Seen[] = [];
  receiver.onAny((event) => void seen.push({ type: event.type, id: event.id, payload: event.payload }));
  const app = await serve(route, receiver);
  running.push(app);
  return { app, seen };
}

const accepted = (answer: Answer) => answer.status >= 200 && answer.status < 300;
// JSON by its media type; a form to a substring match on the header.
const SNEAKY = "application/json; x=application/x-www-form-urlencoded";

describe("hole 2: the unsigned Content-Type never chooses the parser", () => {
  const stripe = schemes.stripe({ secret: "whsec_hostile_parser" });
  // A genuine customer.updated whose description the attacker once typed into the dashboard.
  const customerUpdated = JSON.stringify({
    id: "evt_genuine",
    type: "customer.updated",
    data: { object: { id: "cus_1", description: "hi&type=charge.refunded&id=evt_forged&amount=99999" } },
  });

  for (const route of routes) {
    it(`hole 2: a Stripe JSON delivery whose Content-Type mentions a form is never read as one (${route})`, async () => {
      const { app, seen } = await start(route, { scheme: stripe });
      const captured = await stripe.sign({ rawBody: customerUpdated });
      const answer = await app.send({
        path: "/webhooks",
        headers: { ...captured, "content-type": SNEAKY },
        body: customerUpdated,
      });
      expect(seen.map((event) => event.type)).not.toContain("charge.refunded");
      expect(seen.map((event) => event.id)).not.toContain("evt_forged");
      if (accepted(answer)) expect(seen).toMatchObject([{ type: "customer.updated", id: "evt_genuine" }]);
      else expect(answer.status).toBe(415);
    });

    it(`hole 2: a week-old Linear delivery cannot take its freshness from a form reading (${route})`, async () => {
      const linear = schemes.linear({ secret: "lin_wh_hostile" });
      const { app, seen } = await start(route, { scheme: linear });
      const weekAgo = Date.now() - 7 * 24 * 3600 * 1000;
      // The attacker planted a field, timed for the replay, in an issue title a week ago.
      const body = JSON.stringify({
        type: "Issue",
        action: "remove",
        webhookTimestamp: weekAgo,
        data: { title: `x&webhookTimestamp=${Date.now()}&type=Issue&action=remove` },
      });
      const captured = await linear.sign({ rawBody: body, id: freshId(), type: "Issue.remove" });
      const answer = await app.send({
        path: "/webhooks",
        headers: { ...captured, "content-type": SNEAKY },
        body,
      });
      expect(accepted(answer), answer.body).toBe(false);
      expect(answer.status).toBeLessThan(500);
      expect(seen).toEqual([]);
    });

    it(`hole 2: a payload= field inside a GitHub comment never replaces the payload (${route})`, async () => {
      const github = schemes.github({ secret: "gh_hostile_parser" });
      const { app, seen } = await start(route, { scheme: github });
      const forgedPayload = encodeURIComponent(
        JSON.stringify({ action: "deleted", repository: { full_name: "victim/repo" }, forged: true }),
      );
      const body = JSON.stringify({
        action: "created",
        comment: { body: `lgtm&payload=${forgedPayload}&rest=` },
        repository: { full_name: "victim/repo" },
      });
      const captured = await github.sign({ rawBody: body, id: freshId(), type: "issue_comment" });
      const answer = await app.send({
        path: "/webhooks",
        headers: { ...captured, "content-type": SNEAKY },
        body,
      });
      expect(answer.status).toBeLessThan(500);
      for (const event of seen) {
        expect(event.type).toBe("issue_comment.created");
        expect((event.payload as { forged?: unknown }).forged).toBeUndefined();
      }
      if (accepted(answer)) expect(seen).toHaveLength(1);
    });
  }
});

describe("hole 8: an event typed like an Object.prototype member is not a 500", () => {
  const stripe = schemes.stripe({ secret: "whsec_hostile_proto_types" });
  for (const type of ["constructor", "toString", "__proto__", "hasOwnProperty", "valueOf"]) {
    it(`hole 8: a signed event of type ${type} with \`events\` set is answered, not a 500`, async () => {
      const { app, seen } = await start("handle", {
        scheme: stripe,
        events: { "invoice.paid": anything },
      });
      const body = JSON.stringify({ id: `evt_${freshId()}`, type, data: {} });
      const answer = await app.send({
        path: "/webhooks",
        headers: await stripe.sign({ rawBody: body }),
        body,
      });
      expect(answer.status, answer.body).toBe(200);
      expect(seen).toMatchObject([{ type }]);
    });
  }
});

describe("hole 9: form fields never reach the payload's prototype", () => {
  const hostile =
    "__proto__=polluted&constructor=c&toString=t&hasOwnProperty=h&MessageSid=SM1&MessageStatus=sent";

  it("hole 9: parseForm returns a record whose __proto__, constructor and toString are plain fields", () => {
    const form = parseForm(hostile) as Record<string, unknown>;
    const proto = Object.getPrototypeOf(form);
    expect(proto === null || proto === Object.prototype).toBe(true);
    expect(Object.hasOwn(form, "__proto__")).toBe(true);
    expect(Object.getOwnPropertyDescriptor(form, "__proto__")?.value).toBe("polluted");
    expect(form.constructor).toBe("c");
    expect(form.toString).toBe("t");
    expect(form.hasOwnProperty).toBe("h");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("hole 9: a signed Twilio form with __proto__ and constructor fields reaches handlers as plain fields", async () => {
    const twilio = schemes.twilio({ secret: "twilio_hostile_proto" });
    const { app, seen } = await start("handle", { scheme: twilio });
    const url = "http://127.0.0.1/webhooks";
    const headers = await twilio.sign({
      rawBody: hostile,
      url,
      contentType: "application/x-www-form-urlencoded",
    });
    const answer = await app.send({
      path: "/webhooks",
      headers: { ...headers, "content-type": "application/x-www-form-urlencoded" },
      body: hostile,
    });
    expect(answer.status, answer.body).toBe(200);
    expect(seen).toHaveLength(1);
    const payload = seen[0]!.payload as Record<string, unknown>;
    const proto = Object.getPrototypeOf(payload);
    expect(proto === null || proto === Object.prototype).toBe(true);
    expect(payload.constructor).toBe("c");
    expect(payload.toString).toBe("t");
    expect(payload.MessageSid).toBe("SM1");
    expect(seen[0]!.type).toBe("message.sent");
  });
});
