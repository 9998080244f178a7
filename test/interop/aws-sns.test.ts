/**
 * AWS SNS: hookgate's signed test messages against `sns-validator` (AWS's own Node.js message
 * validator, github.com/aws/aws-js-sns-message-validator), and messages signed by hand as AWS
 * documents it against hookgate. sns-validator fetches the certificate with `https.get`: here the
 * global agent's connections to the SNS host go to a local HTTPS server that serves our test
 * certificate (and presents it as its TLS certificate, trusted by this agent alone).
 */
import { sign as nodeSign } from "node:crypto";
import https from "node:https";
import type { AddressInfo } from "node:net";
import tls from "node:tls";
import { schemes, verify } from "@hookgate/core";
import { snsSigningKey } from "@hookgate/testing";
import MessageValidator from "sns-validator";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeEachCryptoBackend, expectCryptoBackend } from "./helpers.js";

const TOPIC = "arn:aws:sns:us-east-1:123456789012:orders";
const key = await snsSigningKey();
const other = await snsSigningKey();
const SNS_HOST = new URL(key.certificateUrl).hostname;

let server: https.Server;
const fetched: string[] = [];
const originalCreateConnection = https.globalAgent.createConnection;

beforeAll(async () => {
  server = https.createServer({ key: key.privateKey, cert: key.certificate }, (req, res) => {
    fetched.push(req.url ?? "");
    const known = [key, other].find((k) => new URL(k.certificateUrl).pathname === req.url);
    res.writeHead(known ? 200 : 404, { "content-type": "text/plain" }).end(known?.certificate ?? "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  // Connections the validator opens to the SNS host reach the local server, over verified TLS.
  https.globalAgent.createConnection = ((options: tls.ConnectionOptions, callback: () => void) => {
    if (options.servername !== SNS_HOST && options.host !== SNS_HOST)
      throw new Error(`unexpected host ${options.host}`);
    return tls.connect(
      { ...options, host: "127.0.0.1", port, servername: SNS_HOST, ca: key.certificate },
      callback,
    );
  }) as typeof https.globalAgent.createConnection;
});

afterAll(async () => {
  https.globalAgent.createConnection = originalCreateConnection;
  await new Promise((resolve) => server.close(resolve));
});

const validator = new MessageValidator();
const validate = (body: string) =>
  new Promise<Record<string, string>>((resolve, reject) =>
    validator.validate(body, (error, message) =>
      error ? reject(error) : resolve(message as Record<string, string>),
    ),
  );
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describeEachCryptoBackend("AWS SNS ↔ hookgate", (backend) => {
  const scheme = (signatureVersion: "1" | "2" = "2", signingKey = key) =>
    schemes.awsSns({
      topicArn: TOPIC,
      fetchCertificate: async (url) => {
        if (url !== key.certificateUrl) throw new Error(`unknown certificate ${url}`);
        return key.certificate;
      },
      signingKey: { ...signingKey, certificateUrl: key.certificateUrl, signatureVersion },
    });

  it(`runs hookgate on ${backend}`, async () => {
    await expectCryptoBackend(backend, () => scheme().signRequest({ rawBody: "hello" }));
  });

  it.each(["2", "1"] as const)(
    "sns-validator accepts hookgate's SignatureVersion %s Notification, fetching the certificate over https",
    async (version) => {
      const signed = await scheme(version).signRequest({
        rawBody: JSON.stringify({ orderId: 42 }),
        id: "m-1",
      });
      const message = await validate(text(signed.rawBody));
      expect(message).toMatchObject({ Type: "Notification", MessageId: "m-1", Message: '{"orderId":42}' });
      expect(fetched).toContain(new URL(key.certificateUrl).pathname);
    },
  );

  it("sns-validator accepts hookgate's SubscriptionConfirmation", async () => {
    const signed = await scheme().signRequest({ rawBody: "", type: "SubscriptionConfirmation" });
    await expect(validate(text(signed.rawBody))).resolves.toMatchObject({
      Type: "SubscriptionConfirmation",
      TopicArn: TOPIC,
    });
  });

  it("UnsubscribeConfirmation: hookgate signs Token as AWS documents; sns-validator 0.3.5 leaves it out", async () => {
    // AWS signs Token in both confirmation types (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message-verify-message-signature.html);
    // sns-validator builds an UnsubscribeConfirmation's string with its Notification keys, without Token.
    const signed = await scheme().signRequest({ rawBody: "", type: "UnsubscribeConfirmation" });
    await expect(
      verify(scheme(), { headers: signed.headers, rawBody: signed.rawBody }),
    ).resolves.toMatchObject({
      type: "UnsubscribeConfirmation",
    });
    await expect(validate(text(signed.rawBody))).rejects.toThrow(/signature is invalid/);
    const { Token: _token, ...withoutToken } = JSON.parse(text(signed.rawBody)) as Record<string, string>;
    const canonical = ["Message", "MessageId", "SubscribeURL", "Timestamp", "TopicArn", "Type"]
      .map((name) => `${name}\n${withoutToken[name]}\n`)
      .join("");
    const theirs = {
      ...withoutToken,
      Token: _token,
      Signature: nodeSign("sha256", Buffer.from(canonical), key.privateKey).toString("base64"),
    };
    await expect(validate(JSON.stringify(theirs))).resolves.toMatchObject({
      Type: "UnsubscribeConfirmation",
    });
  });

  it("sns-validator refuses hookgate's message once altered, or signed with another key", async () => {
    const signed = text((await scheme().signRequest({ rawBody: "order 42 placed" })).rawBody);
    await expect(validate(signed.replace("order 42", "order 43"))).rejects.toThrow(/signature is invalid/);
    const forged = await scheme("2", other).signRequest({ rawBody: "order 42 placed" });
    await expect(validate(text(forged.rawBody))).rejects.toThrow(/signature is invalid/);
  });

  it("a message signed by hand as AWS documents it: sns-validator and hookgate both accept it, and both refuse it altered", async () => {
    // https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message-verify-message-signature.html
    const fields = {
      Type: "Notification",
      MessageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
      TopicArn: TOPIC,
      Subject: "My First Message",
      Message: 'Hello world!\nSecond line, with "quotes" and ünïcode',
      Timestamp: new Date().toISOString(),
    };
    const canonical = ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
      .map((name) => `${name}\n${fields[name as keyof typeof fields]}\n`)
      .join("");
    const body = JSON.stringify({
      ...fields,
      SignatureVersion: "2",
      Signature: nodeSign("sha256", Buffer.from(canonical), key.privateKey).toString("base64"),
      SigningCertURL: key.certificateUrl,
      UnsubscribeURL: `https://${SNS_HOST}/?Action=Unsubscribe&SubscriptionArn=${TOPIC}:c9135db0`,
    });
    await expect(validate(body)).resolves.toMatchObject({ Subject: "My First Message" });
    await expect(verify(scheme(), { headers: {}, rawBody: body })).resolves.toMatchObject({
      id: fields.MessageId,
      type: "Notification",
    });
    const altered = body.replace("My First Message", "My Second Message");
    await expect(validate(altered)).rejects.toThrow(/signature is invalid/);
    await expect(verify(scheme(), { headers: {}, rawBody: altered })).rejects.toMatchObject({
      code: "signature_mismatch",
    });
  });
});
