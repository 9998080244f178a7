import { randomBytes, randomUUID, sign } from "node:crypto";
import { createReceiver, schemes } from "@hookgate/core";
import { snsSigningKey } from "@hookgate/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type Answer, codeOf, type Route, type Running, routes, serve } from "./support.js";

// Holes 6, 13, 14 and 15: AWS SNS signs a canonical string built from the message's fields, and
// names the certificate that verifies it in an unsigned field (SigningCertURL) of the same body.

const TOPIC = "arn:aws:sns:us-east-1:123456789012:orders";
const key = await snsSigningKey();
const CERT = key.certificateUrl;
const HOST = new URL(CERT).hostname;
/** New certificates hookgate fetches per minute at most (aws-sns.ts), and the genuine one. */
const FETCH_BUDGET = 10;

type Fields = Record<string, string>;
const ORDER = {
  Notification: ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
  SubscriptionConfirmation: [
    "Message",
    "MessageId",
    "SubscribeURL",
    "Timestamp",
    "Token",
    "TopicArn",
    "Type",
  ],
} as const;

/** A message signed as SNS signs it (the canonical string AWS documents), with key's certificate. */
function signed(fields: Fields): Fields {
  const order = ORDER[fields.Type as keyof typeof ORDER];
  const canonical = order
    .filter((name) => fields[name] !== undefined)
    .map((name) => `${name}\n${fields[name]}\n`)
    .join("");
  return {
    ...fields,
    SignatureVersion: "2",
    Signature: sign("sha256", Buffer.from(canonical), key.privateKey).toString("base64"),
    SigningCertURL: CERT,
  };
}
const notification = (extra: Fields = {}): Fields => ({
  Type: "Notification",
  MessageId: randomUUID(),
  TopicArn: TOPIC,
  Subject: "Order placed",
  Message: '{"orderId":42}',
  Timestamp: new Date().toISOString(),
  ...extra,
});
/** A message nobody signed: a random Signature, and the certificate URL the sender chose. */
const unsigned = (certificateUrl: string): Fields => ({
  ...notification(),
  SignatureVersion: "2",
  Signature: randomBytes(256).toString("base64"),
  SigningCertURL: certificateUrl,
});

const running: Running[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.close()));
});

async function start(route: Route) {
  const fetched: string[] = [];
  const scheme = schemes.awsSns({
    topicArn: TOPIC,
    // The injected fetcher: the genuine certificate at its URL, a 404 anywhere else.
    fetchCertificate: async (url) => {
      fetched.push(url);
      if (url === CERT) return key.certificate;
      throw new Error("HTTP 404");
    },
  });
  const receiver = createReceiver({ scheme });
  const seen: string[] = [];
  receiver.onAny((event) => void seen.push(event.id));
  const app = await serve(route, receiver, "/sns");
  running.push(app);
  const post = (message: Fields): Promise<Answer> =>
    app.send({
      path: "/sns",
      headers: { "content-type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": message.Type! },
      body: JSON.stringify(message),
    });
  return { post, fetched, seen };
}

describe("issue 18 hole 6: an SNS message's signed fields cannot be moved into another", () => {
  for (const route of routes) {
    it(`issue 18 hole 6: a captured notification with its Subject moved into MessageId is refused (${route})`, async () => {
      const { post, seen } = await start(route);
      const captured = signed(notification());
      const first = await post(captured);
      expect(first.status, first.body).toBe(200);
      expect(seen).toEqual([captured.MessageId]);

      // The canonical string is unchanged: "MessageId\n<id>\nSubject\n<subject>\n" either way.
      const { Subject, ...rest } = captured;
      const moved = { ...rest, MessageId: `${captured.MessageId}\nSubject\n${Subject}` };
      const replay = await post(moved);
      expect(replay.status, replay.body).toBe(400);
      expect(codeOf(replay)).toBe("invalid_payload");
      expect(seen, "the replay ran the handler under a fresh MessageId").toEqual([captured.MessageId]);
    });

    it(`SNS: a confirmation cannot fold a required field into MessageId (${route})`, async () => {
      const { post } = await start(route);
      const token = randomBytes(32).toString("hex");
      const captured = signed({
        Type: "SubscriptionConfirmation",
        MessageId: randomUUID(),
        Token: token,
        TopicArn: TOPIC,
        Message: "You have chosen to subscribe.",
        SubscribeURL: `https://${HOST}/?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=${token}`,
        Timestamp: new Date().toISOString(),
      });
      const tail = `\nSubscribeURL\n${captured.SubscribeURL}`;
      const { SubscribeURL: _url, ...rest } = captured;
      const answer = await post({ ...rest, MessageId: `${captured.MessageId}${tail}` });
      expect(answer.status, answer.body).toBe(400);
    });
  }
});

describe("issue 18 hole 13: a certificate that cannot be fetched is not an attacker-triggered 5xx", () => {
  for (const route of routes) {
    it(`issue 18 hole 13: an unsigned message naming an unfetchable certificate is a 401 (${route})`, async () => {
      const { post, fetched, seen } = await start(route);
      const missing = `https://${HOST}/SimpleNotificationService-${randomBytes(16).toString("hex")}.pem`;
      for (let i = 0; i < 3; i++) {
        const answer = await post(unsigned(missing));
        expect(answer.status, answer.body).toBe(401);
        expect(codeOf(answer)).toBe("signature_mismatch");
      }
      // The failure is remembered: one fetch, not one per request.
      expect(fetched).toEqual([missing]);
      expect(seen).toEqual([]);
    });
  }
});

describe("issue 18 hole 15: SigningCertURL cannot make hookgate call out per request", () => {
  const variants = (i: number): string[] => {
    const path = new URL(CERT).pathname;
    return [
      `${CERT}?v=${i}`,
      `${CERT}#${i}`,
      `https://user${i}@${HOST}${path}`,
      `https://user${i}:pw@${HOST}${path}`,
      `https://${HOST}:443${path}`,
      `https://${HOST}:8443${path}`,
      `https://${HOST.toUpperCase()}${path}`,
      `https://${HOST}/a/..${path}`,
      `https://${HOST}${path.replace(".pem", `-${i}.pem`)}`,
      `https://${HOST}/SimpleNotificationService-${randomBytes(16).toString("hex")}.pem`,
      `https://sns.region-${i}.amazonaws.com/SimpleNotificationService-${i}.pem`,
      `https://sns.region-${i}.amazonaws.com.cn/SimpleNotificationService-${i}.pem`,
      `https://${HOST}/other/SimpleNotificationService-${i}.pem`,
      `https://${HOST}/SimpleNotificationService-${i}.pem/`,
      `https://${HOST}/SimpleNotificationService-${i}.PEM`,
    ];
  };

  for (const route of routes) {
    it(`issue 18 hole 15: varied SigningCertURLs make a bounded number of fetches and keep the genuine certificate (${route})`, async () => {
      const { post, fetched, seen } = await start(route);
      const genuine = signed(notification());
      expect((await post(genuine)).status).toBe(200);
      expect(fetched).toEqual([CERT]);

      const answers: number[] = [];
      for (let i = 0; i < 20; i++) {
        for (const url of variants(i)) answers.push((await post(unsigned(url))).status);
      }
      expect(
        answers.every((status) => status >= 400 && status < 500),
        String(answers),
      ).toBe(true);
      expect(fetched.length, fetched.join("\n")).toBeLessThanOrEqual(1 + FETCH_BUDGET);
      for (const url of fetched) {
        expect(url).toMatch(
          /^https:\/\/sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/SimpleNotificationService-[a-z0-9-]+\.pem$/,
        );
      }

      // The genuine certificate was neither evicted nor fetched again.
      const next = signed(notification());
      const answer = await post(next);
      expect(answer.status, answer.body).toBe(200);
      expect(fetched.filter((url) => url === CERT)).toHaveLength(1);
      expect(seen).toEqual([genuine.MessageId, next.MessageId]);
    });

    it(`issue 18 hole 15: concurrent unsigned messages naming one new certificate share one fetch (${route})`, async () => {
      const { post, fetched } = await start(route);
      const url = `https://${HOST}/SimpleNotificationService-${randomBytes(16).toString("hex")}.pem`;
      const answers = await Promise.all(Array.from({ length: 20 }, () => post(unsigned(url))));
      expect(answers.map((a) => a.status)).toEqual(Array(20).fill(401));
      expect(fetched).toEqual([url]);
    });
  }
});
