import { randomUUID } from "node:crypto";
import { schemes, verify } from "@hookgate/core";
// twilio is CommonJS (`export =`): its helpers are reachable from the default import only.
import twilio from "twilio";
import { describe, expect, it } from "vitest";
import {
  describeEachCryptoBackend,
  expectCryptoBackend,
  expectRejected,
  header,
  randomSecret,
} from "./helpers.js";

type Params = Record<string, string | string[]>;

/** The form body Twilio posts for these params (a repeated field for an array value). */
function formBody(params: Params): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) form.append(name, item);
  }
  return form.toString();
}

const FORM = "application/x-www-form-urlencoded";
const formHeaders = (signature: string, extra: Record<string, string> = {}) => ({
  "content-type": FORM,
  "x-twilio-signature": signature,
  ...extra,
});
const jsonHeaders = (signature: string) => ({
  "content-type": "application/json",
  "x-twilio-signature": signature,
});

const smsParams: Params = {
  ToCountry: "US",
  MessageSid: "SM2b8d4d3f2c0e4a5b9c1d7e6f5a4b3c2d",
  SmsSid: "SM2b8d4d3f2c0e4a5b9c1d7e6f5a4b3c2d",
  AccountSid: "AC0123456789abcdef0123456789abcdef",
  From: "+14155550100",
  To: "+14155550199",
  Body: "Héllo & welcome: 50% off + free ✓",
  NumMedia: "0",
  SmsStatus: "received",
};
const appUrl = "https://hooks.example.com/twilio/sms?tenant=acme&region=us1";

describeEachCryptoBackend("Twilio ↔ hookgate", (backend) => {
  const authToken = randomSecret();
  const scheme = schemes.twilio({ secret: authToken });

  it(`runs hookgate on ${backend}`, async () => {
    await expectCryptoBackend(backend, () => scheme.sign({ rawBody: formBody(smsParams), url: appUrl }));
  });

  describe("form posts: twilio.getExpectedTwilioSignature → hookgate verify", () => {
    it("verifies with the public url, keyed by I-Twilio-Idempotency-Token", async () => {
      const token = randomUUID();
      const signature = twilio.getExpectedTwilioSignature(authToken, appUrl, smsParams);
      const delivery = await verify(scheme, {
        headers: formHeaders(signature, { "i-twilio-idempotency-token": token }),
        rawBody: formBody(smsParams),
        url: appUrl,
      });
      expect(delivery).toMatchObject({
        id: token,
        type: "message.received",
        scheme: "twilio",
        payload: smsParams,
        matchedSecret: { index: 0 },
      });
    });

    it("verifies a repeated parameter, in any order, with duplicates", async () => {
      const params: Params = {
        CallSid: "CA1234567890ABCDE",
        CallStatus: "in-progress",
        "MessagingBinding.Address": ["+14155550199", "+13255550100", "+14155550199"],
      };
      const signature = twilio.getExpectedTwilioSignature(authToken, appUrl, params);
      const delivery = await verify(scheme, {
        headers: formHeaders(signature),
        rawBody: formBody(params),
        url: appUrl,
      });
      expect(delivery.type).toBe("call.in-progress");
      // The payload holds what the signature covered: twilio-node signs each distinct value once.
      expect(delivery.payload).toMatchObject({
        "MessagingBinding.Address": ["+14155550199", "+13255550100"],
      });
    });

    it("verifies when Twilio signed the url with the default port and the app knows it without", async () => {
      const withPort = appUrl.replace("hooks.example.com", "hooks.example.com:443");
      const signature = twilio.getExpectedTwilioSignature(authToken, withPort, smsParams);
      await expect(
        verify(scheme, { headers: formHeaders(signature), rawBody: formBody(smsParams), url: appUrl }),
      ).resolves.toBeTruthy();
    });

    it("verifies when Twilio signed the url without the port and the app sees it with :443", async () => {
      const signature = twilio.getExpectedTwilioSignature(authToken, appUrl, smsParams);
      const withPort = appUrl.replace("hooks.example.com", "hooks.example.com:443");
      await expect(
        verify(scheme, { headers: formHeaders(signature), rawBody: formBody(smsParams), url: withPort }),
      ).resolves.toBeTruthy();
    });

    it("verifies a url whose query Twilio signs as sent, with characters URL parsing would escape", async () => {
      // twilio-node 6 checks the url as received first: "that is the string Twilio signed".
      const url = "https://hooks.example.com/twilio/sms?greeting=It's+on&name=O'Brien";
      const signature = twilio.getExpectedTwilioSignature(authToken, url, smsParams);
      expect(twilio.validateRequest(authToken, signature, url, smsParams)).toBe(true);
      await expect(
        verify(scheme, { headers: formHeaders(signature), rawBody: formBody(smsParams), url }),
      ).resolves.toBeTruthy();
    });
  });

  describe("form posts: hookgate sign → twilio.validateRequest", () => {
    it("validateRequest accepts hookgate's signature", async () => {
      const headers = await scheme.sign({ rawBody: formBody(smsParams), url: appUrl });
      expect(headers["content-type"]).toBe(FORM);
      expect(
        twilio.validateRequest(authToken, header(headers, "x-twilio-signature"), appUrl, smsParams),
      ).toBe(true);
    });

    it("produces exactly twilio's expected signature, repeated parameters included", async () => {
      const params: Params = { Digits: ["5678", "1234"], CallSid: "CA123", CallStatus: "completed" };
      const headers = await scheme.sign({ rawBody: formBody(params), url: appUrl });
      expect(headers["x-twilio-signature"]).toBe(
        twilio.getExpectedTwilioSignature(authToken, appUrl, params),
      );
      expect(twilio.validateRequest(authToken, header(headers, "x-twilio-signature"), appUrl, params)).toBe(
        true,
      );
    });

    it("twilio refuses hookgate's signature for other params, another url, or another token", async () => {
      const signature = header(
        await scheme.sign({ rawBody: formBody(smsParams), url: appUrl }),
        "x-twilio-signature",
      );
      expect(twilio.validateRequest(authToken, signature, appUrl, { ...smsParams, Body: "changed" })).toBe(
        false,
      );
      expect(twilio.validateRequest(authToken, signature, `${appUrl}&x=1`, smsParams)).toBe(false);
      expect(twilio.validateRequest(randomSecret(), signature, appUrl, smsParams)).toBe(false);
    });
  });

  describe("JSON posts: the url's bodySHA256", () => {
    const body = JSON.stringify(
      { type: "com.twilio.messaging.message.delivered", data: { messageSid: "SM1" } },
      null,
      1,
    );
    const urlFor = (raw: string) => `${appUrl}&bodySHA256=${twilio.getExpectedBodyHash(raw)}`;

    it("twilio's signature over the url (params {}) → hookgate verifies the url and the body hash", async () => {
      const url = urlFor(body);
      const signature = twilio.getExpectedTwilioSignature(authToken, url, {});
      const delivery = await verify(scheme, { headers: jsonHeaders(signature), rawBody: body, url });
      expect(delivery).toMatchObject({
        type: "com.twilio.messaging.message.delivered",
        payload: JSON.parse(body),
      });
    });

    it("hookgate sign → twilio.validateRequestWithBody accepts", async () => {
      const url = urlFor(body);
      const headers = await scheme.sign({ rawBody: body, url });
      expect(headers["content-type"]).toBe("application/json");
      expect(
        twilio.validateRequestWithBody(authToken, header(headers, "x-twilio-signature"), url, body),
      ).toBe(true);
      expect(
        twilio.validateRequestWithBody(authToken, header(headers, "x-twilio-signature"), url, `${body} `),
      ).toBe(false);
    });

    it("refuses a body that does not match the signed hash", async () => {
      const url = urlFor(body);
      const signature = twilio.getExpectedTwilioSignature(authToken, url, {});
      await expectRejected(
        verify(scheme, { headers: jsonHeaders(signature), rawBody: body.replace("SM1", "SM2"), url }),
        "signature_mismatch",
      );
    });

    it("refuses a body hash swapped in the url for the tampered body's", async () => {
      const signature = twilio.getExpectedTwilioSignature(authToken, urlFor(body), {});
      const tampered = body.replace("SM1", "SM2");
      await expectRejected(
        verify(scheme, { headers: jsonHeaders(signature), rawBody: tampered, url: urlFor(tampered) }),
        "signature_mismatch",
      );
    });
  });

  describe("negative: what hookgate refuses from twilio's SDK", () => {
    const signature = () => twilio.getExpectedTwilioSignature(authToken, appUrl, smsParams);

    it("a tampered parameter", async () => {
      await expectRejected(
        verify(scheme, {
          headers: formHeaders(signature()),
          rawBody: formBody({ ...smsParams, Body: "Send $1000 to me" }),
          url: appUrl,
        }),
        "signature_mismatch",
      );
    });

    it("an added parameter", async () => {
      await expectRejected(
        verify(scheme, {
          headers: formHeaders(signature()),
          rawBody: `${formBody(smsParams)}&Extra=1`,
          url: appUrl,
        }),
        "signature_mismatch",
      );
    });

    it("a wrong auth token", async () => {
      await expectRejected(
        verify(scheme, {
          headers: formHeaders(twilio.getExpectedTwilioSignature(randomSecret(), appUrl, smsParams)),
          rawBody: formBody(smsParams),
          url: appUrl,
        }),
        "signature_mismatch",
      );
    });

    it("a request replayed to another url", async () => {
      await expectRejected(
        verify(scheme, {
          headers: formHeaders(signature()),
          rawBody: formBody(smsParams),
          url: appUrl.replace("tenant=acme", "tenant=evil"),
        }),
        "signature_mismatch",
      );
    });

    it("verifying without the url is a set-up error", async () => {
      await expectRejected(
        verify(scheme, { headers: formHeaders(signature()), rawBody: formBody(smsParams) }),
        "url_required",
      );
    });
  });

  describe("published vectors: twilio-node spec/validation.spec.js", () => {
    // Copied byte-exactly from the spec.
    const defaultParams: Params = {
      CallSid: "CA1234567890ABCDE",
      Caller: "+14158675309",
      Digits: "1234",
      From: "+14158675309",
      To: "+18005551212",
    };
    const token = "12345";
    const defaultSignature = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
    const requestUrl = "https://mycompany.com/myapp.php?foo=1&bar=2";
    const body = '{"property": "value", "boolean": true}';
    const bodySignature = "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
    const requestUrlWithHash = `${requestUrl}&bodySHA256=${bodySignature}`;
    const requestUrlWithHashSignature = "a9nBmqA0ju/hNViExpshrM61xv4=";
    const bodySignatureEmpty = "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
    const requestUrlWithHashSignatureEmptyBody = "Ldidvp12m26NI7eqEvxnEpkd9Hc=";

    const vectorScheme = schemes.twilio({ secret: token });
    const verifyForm = (signature: string, url: string, params: Params = defaultParams) =>
      verify(vectorScheme, { headers: formHeaders(signature), rawBody: formBody(params), url });

    // [case, signature, url the request is verified with, params]
    const formVectors: ReadonlyArray<readonly [string, string, string, Params]> = [
      ["the doc example", defaultSignature, requestUrl, defaultParams],
      [
        "https url with a port, stripped",
        defaultSignature,
        requestUrl.replace(".com", ".com:1234"),
        defaultParams,
      ],
      [
        "http url with port 1234",
        "Zmvh+3yNM1Phv2jhDCwEM3q5ebU=",
        requestUrl.replace(".com", ".com:1234").replace("https", "http"),
        defaultParams,
      ],
      ["https url signed with :443 added", "kvajT1Ptam85bY51eRf/AJRuM3w=", requestUrl, defaultParams],
      [
        "http url signed with :80 added",
        "0ZXoZLH/DfblKGATFgpif+LLRf4=",
        requestUrl.replace("https", "http"),
        defaultParams,
      ],
      [
        "url with credentials",
        "CukzLTc1tT5dXEDIHm/tKBanW10=",
        "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2",
        defaultParams,
      ],
      [
        "url with just a username",
        "2YRLlVAflCqxaNicjMpJcSTgzSs=",
        "https://user@mycompany.com/myapp.php?foo=1&bar=2",
        defaultParams,
      ],
      [
        "url with credentials, signed with :443 added",
        "ZQFR1PTIZXF2MXB8ZnKCvnnA+rI=",
        "https://user:pass@mycompany.com/myapp.php?foo=1&bar=2",
        defaultParams,
      ],
      [
        "array parameter",
        "83O6e2vORAoJHUNzJjDWN1jz+BA=",
        requestUrl,
        { "MessagingBinding.Address": ["+1325xxxxxxx", "+1415xxxxxxx"] },
      ],
      [
        "array parameter in the other order",
        "83O6e2vORAoJHUNzJjDWN1jz+BA=",
        requestUrl,
        { "MessagingBinding.Address": ["+1415xxxxxxx", "+1325xxxxxxx"] },
      ],
      [
        "array parameter with a duplicate value",
        "IK+Dwps556ElfBT0I3Rgjkr1wJU=",
        requestUrl,
        { Sid: "CA123", SidAccount: "AC123", Digits: ["5678", "1234", "1234"] },
      ],
    ];

    it.each(formVectors)("%s: twilio-node agrees (guards the copy)", (_, signature, url, params) => {
      expect(twilio.validateRequest(token, signature, url, params)).toBe(true);
    });

    it.each(formVectors)("%s: hookgate verifies", async (_, signature, url, params) => {
      await expect(verifyForm(signature, url, params)).resolves.toMatchObject({ scheme: "twilio" });
    });

    it("url with special characters (Body=It's+amazing): hookgate verifies", async () => {
      const specialRequestUrl = `${requestUrl}&Body=It's+amazing`;
      const signature = "dsq4Ehbj6cs+KdTkpF5sSSplOWw=";
      expect(twilio.validateRequest(token, signature, specialRequestUrl, defaultParams)).toBe(true);
      await expect(verifyForm(signature, specialRequestUrl)).resolves.toMatchObject({ scheme: "twilio" });
    });

    it("a wrong signature is refused", async () => {
      await expectRejected(verifyForm("RSOYDt4T1cUTdK1PDd94/VVr8B8=", requestUrl), "signature_mismatch");
      await expectRejected(
        verifyForm(defaultSignature, requestUrl, { ...defaultParams, Digits: "4321" }),
        "signature_mismatch",
      );
    });

    it("hookgate's sign reproduces the doc example and the array vector", async () => {
      expect(
        (await vectorScheme.sign({ rawBody: formBody(defaultParams), url: requestUrl }))[
          "x-twilio-signature"
        ],
      ).toBe(defaultSignature);
      const arrays = { "MessagingBinding.Address": ["+1325xxxxxxx", "+1415xxxxxxx"] };
      expect(
        (await vectorScheme.sign({ rawBody: formBody(arrays), url: requestUrl }))["x-twilio-signature"],
      ).toBe("83O6e2vORAoJHUNzJjDWN1jz+BA=");
    });

    it("bodySHA256: the body hash vectors are twilio's own", () => {
      expect(twilio.getExpectedBodyHash(body)).toBe(bodySignature);
      expect(twilio.getExpectedBodyHash("{}")).toBe(bodySignatureEmpty);
      expect(
        twilio.validateRequestWithBody(token, requestUrlWithHashSignature, requestUrlWithHash, body),
      ).toBe(true);
    });

    it("bodySHA256: hookgate verifies the JSON body vector and reproduces its signature", async () => {
      const delivery = await verify(vectorScheme, {
        headers: jsonHeaders(requestUrlWithHashSignature),
        rawBody: body,
        url: requestUrlWithHash,
      });
      expect(delivery.payload).toEqual({ property: "value", boolean: true });
      const headers = await vectorScheme.sign({ rawBody: body, url: requestUrlWithHash });
      expect(headers["x-twilio-signature"]).toBe(requestUrlWithHashSignature);
    });

    it("bodySHA256: the empty-object body, signed with :443 added", async () => {
      await expect(
        verify(vectorScheme, {
          headers: jsonHeaders(requestUrlWithHashSignatureEmptyBody),
          rawBody: "{}",
          url: `${requestUrl}&bodySHA256=${bodySignatureEmpty}`,
        }),
      ).resolves.toMatchObject({ payload: {} });
    });

    it("bodySHA256: the url carrying only the hash", async () => {
      const shortUrl = `https://mycompany.com/myapp.php?bodySHA256=${bodySignature}`;
      const signature = "y77kIzt2vzLz71DgmJGsen2scGs=";
      expect(twilio.validateRequestWithBody(token, signature, shortUrl, body)).toBe(true);
      await expect(
        verify(vectorScheme, { headers: jsonHeaders(signature), rawBody: body, url: shortUrl }),
      ).resolves.toBeTruthy();
    });

    it("bodySHA256: the vector's signature with another body is refused", async () => {
      await expectRejected(
        verify(vectorScheme, {
          headers: jsonHeaders(requestUrlWithHashSignature),
          rawBody: '{"property": "value", "boolean": false}',
          url: requestUrlWithHash,
        }),
        "signature_mismatch",
      );
    });
  });
});
