import { createReceiver, schemes } from "@hookgate/core";
import { afterEach, describe, expect, it } from "vitest";
import { type Answer, freshId, type Running, routes, serve } from "./support.js";

// Issue 18, holes 2 and 3: what is parsed before the signature check is linear and bounded, and the
// body format is decided by the signed bytes and the scheme, never by the unsigned Content-Type.

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
const FORM = "application/x-www-form-urlencoded";

describe("issue 18 hole 2: Mailgun form parsing before verification is linear and bounded", () => {
  for (const route of routes) {
    it(`issue 18 hole 2: a 60 KB Mailgun form of repeated fields is refused unauthenticated, nothing handled (${route})`, async () => {
      const mailgun = schemes.mailgun({ secret: "mailgun_hostile_parse" });
      const { app, seen } = await start(route, { scheme: mailgun });
      // No key needed: the form is parsed to find the signature fields, before any check.
      const body = `${"a=1&".repeat(15_000)}timestamp=1&token=t&signature=${"0".repeat(64)}`;
      expect(body.length).toBeGreaterThan(60_000);
      const answer = await app.send({ path: "/webhooks", headers: { "content-type": FORM }, body });
      expect(answer.status, answer.body).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(seen).toEqual([]);
      // That the parse is linear and bounded is counted, not timed: packages/core/src/scheme/payload.test.ts.
    });
  }
});

describe("issue 18 hole 3: a signed JSON body re-sent as a form is still the JSON that was signed", () => {
  const slack = schemes.slack({ secret: "slack_hostile_format" });
  // What the attacker wants handlers to see: an interactivity payload of their choosing.
  const forged = { type: "block_actions", trigger_id: "forged_trigger", actions: [{ value: "wire" }] };

  // A genuine Events API delivery whose message text the attacker once typed into a channel. The
  // text ends the form field early and opens a `payload` field whose JSON the real body's closing
  // `"}}` completes.
  function captured(id: string) {
    const tail = JSON.stringify({ ...forged, pad: { x: "" } }).slice(0, -3);
    const text = `hi&payload=${encodeURIComponent(tail)}`;
    return JSON.stringify({
      type: "event_callback",
      event_id: id,
      event: { type: "message", text },
    });
  }

  for (const route of routes) {
    it(`issue 18 hole 3: a Slack event re-sent as a form never becomes the payload= inside its text (${route})`, async () => {
      const { app, seen } = await start(route, { scheme: slack });
      const id = `Ev${freshId()}`;
      const body = captured(id);
      const headers = await slack.sign({ rawBody: body });
      const answer = await app.send({
        path: "/webhooks",
        headers: { ...headers, "content-type": FORM },
        body,
      });
      expect(answer.status, answer.body).toBeLessThan(500);
      expect(seen.map((event) => event.type)).not.toContain("block_actions");
      expect(seen.map((event) => event.id)).not.toContain("forged_trigger");
      if (accepted(answer)) {
        expect(seen).toEqual([{ type: "message", id, payload: JSON.parse(body) }]);
      } else expect(seen).toEqual([]);
    });

    it(`issue 18 hole 3: Slack's genuine JSON events, interactivity and slash-command forms still work (${route})`, async () => {
      const { app, seen } = await start(route, { scheme: slack });
      const event = JSON.stringify({
        type: "event_callback",
        event_id: `Ev${freshId()}`,
        event: { type: "app_mention", text: "a&payload=b" },
      });
      const interaction = new URLSearchParams({
        payload: JSON.stringify({ type: "block_actions", trigger_id: `tr_${freshId()}` }),
      }).toString();
      const command = new URLSearchParams({
        command: "/deploy",
        text: "prod",
        trigger_id: `tr_${freshId()}`,
      }).toString();
      for (const [body, contentType] of [
        [event, "application/json"],
        [interaction, FORM],
        [command, `${FORM}; charset=utf-8`],
      ] as const) {
        const headers = await slack.sign({ rawBody: body });
        const answer = await app.send({
          path: "/webhooks",
          headers: { ...headers, "content-type": contentType },
          body,
        });
        expect(answer.status, answer.body).toBe(200);
      }
      expect(seen.map((event) => event.type)).toEqual(["app_mention", "block_actions", "slash_command"]);
    });
  }
});
