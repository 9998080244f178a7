import { randomUUID } from "node:crypto";
import { schemes, verify } from "@hookgate/core";
import { sign as octokitSign, verify as octokitVerify, verifyWithFallback } from "@octokit/webhooks-methods";
import { describe, expect, it } from "vitest";
import {
  describeEachCryptoBackend,
  expectCryptoBackend,
  expectRejected,
  header,
  randomSecret,
  tamper,
} from "./helpers.js";

const payload = JSON.stringify({
  action: "opened",
  issue: { number: 1347, title: "Found a bug — ünïcode", body: "I'm having a problem with this." },
  repository: { id: 1296269, full_name: "octocat/Hello-World" },
  sender: { login: "octocat" },
});

/** What GitHub sends next to the signature. */
const githubHeaders = (signature: string, delivery: string = randomUUID(), event = "issues") => ({
  "content-type": "application/json",
  "user-agent": "GitHub-Hookshot/ede37db",
  "x-github-event": event,
  "x-github-delivery": delivery,
  "x-github-hook-id": "380052596",
  "x-hub-signature-256": signature,
});

describeEachCryptoBackend("GitHub (@octokit/webhooks-methods) ↔ hookgate", (backend) => {
  const secret = randomSecret();
  const scheme = schemes.github({ secret });

  it(`runs hookgate on ${backend}`, async () => {
    await expectCryptoBackend(backend, () => scheme.sign({ rawBody: payload }));
  });

  describe("octokit sign → hookgate verify", () => {
    it("verifies and names the event with its action, keyed by X-GitHub-Delivery", async () => {
      const delivery = randomUUID();
      const result = await verify(scheme, {
        headers: githubHeaders(await octokitSign(secret, payload), delivery),
        rawBody: payload,
      });
      expect(result).toMatchObject({
        id: delivery,
        type: "issues.opened",
        scheme: "github",
        payload: JSON.parse(payload),
        matchedSecret: { index: 0 },
      });
      expect(result.timestamp).toBeUndefined();
    });

    it("verifies an event without an action (ping) as the bare event name", async () => {
      const ping = JSON.stringify({ zen: "Design for failure.", hook_id: 380052596 });
      const result = await verify(scheme, {
        headers: githubHeaders(await octokitSign(secret, ping), randomUUID(), "ping"),
        rawBody: Buffer.from(ping),
      });
      expect(result.type).toBe("ping");
    });

    it("a delivery signed with the old secret matches the second configured entry", async () => {
      const oldSecret = randomSecret();
      const rotating = schemes.github({
        secret: [
          { id: "current", value: secret },
          { id: "previous", value: oldSecret },
        ],
      });
      const result = await verify(rotating, {
        headers: githubHeaders(await octokitSign(oldSecret, payload)),
        rawBody: payload,
      });
      expect(result.matchedSecret).toEqual({ index: 1, id: "previous" });
    });
  });

  describe("hookgate sign → octokit verify", () => {
    it("octokit verify accepts hookgate's X-Hub-Signature-256", async () => {
      const id = randomUUID();
      const headers = await scheme.sign({ id, rawBody: payload, type: "issues.opened" });
      expect(await octokitVerify(secret, payload, header(headers, "x-hub-signature-256"))).toBe(true);
      expect(headers["x-github-event"]).toBe("issues");
      expect(headers["x-github-delivery"]).toBe(id);
    });

    it("produces exactly octokit's signature string", async () => {
      const headers = await scheme.sign({ rawBody: payload, type: "issues.opened" });
      expect(headers["x-hub-signature-256"]).toBe(await octokitSign(secret, payload));
    });

    it("octokit verifyWithFallback accepts a signature made with the first of several secrets", async () => {
      const rotating = schemes.github({ secret: [secret, randomSecret()] });
      const signature = header(
        await rotating.sign({ rawBody: payload, type: "push" }),
        "x-hub-signature-256",
      );
      expect(await verifyWithFallback(randomSecret(), payload, signature, [secret])).toBe(true);
    });

    it("octokit refuses hookgate's signature for a tampered body or another secret", async () => {
      const signature = header(
        await scheme.sign({ rawBody: payload, type: "issues.opened" }),
        "x-hub-signature-256",
      );
      expect(await octokitVerify(secret, tamper(payload), signature)).toBe(false);
      expect(await octokitVerify(randomSecret(), payload, signature)).toBe(false);
    });
  });

  describe("negative: what hookgate refuses from octokit", () => {
    it("a tampered body", async () => {
      await expectRejected(
        verify(scheme, {
          headers: githubHeaders(await octokitSign(secret, payload)),
          rawBody: tamper(payload),
        }),
        "signature_mismatch",
      );
    });

    it("a wrong secret", async () => {
      await expectRejected(
        verify(scheme, {
          headers: githubHeaders(await octokitSign(randomSecret(), payload)),
          rawBody: payload,
        }),
        "signature_mismatch",
      );
    });

    it("a signature without its sha256= prefix", async () => {
      const bare = (await octokitSign(secret, payload)).slice("sha256=".length);
      await expectRejected(
        verify(scheme, { headers: githubHeaders(bare), rawBody: payload }),
        "malformed_signature",
      );
    });
  });

  describe("published vectors", () => {
    // GitHub docs, "Validating webhook deliveries" → "Testing the webhook payload validation".
    const docsSecret = "It's a Secret to Everybody";
    const docsPayload = "Hello, World!";
    const docsSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    // Created per test: the secret has spaces, as GitHub allows, and creating the scheme must not throw.
    const docsScheme = () => schemes.github({ secret: docsSecret });

    it("docs vector: octokit agrees with it (guards the copy)", async () => {
      expect(await octokitVerify(docsSecret, docsPayload, docsSignature)).toBe(true);
    });

    it("docs vector: a secret with inner spaces is a valid GitHub secret", () => {
      expect(docsScheme).not.toThrow();
    });

    it("docs vector: hookgate's sign reproduces X-Hub-Signature-256", async () => {
      const headers = await docsScheme().sign({ rawBody: docsPayload, type: "ping" });
      expect(headers["x-hub-signature-256"]).toBe(docsSignature);
    });

    it("docs vector: hookgate accepts the signature, then refuses the non-JSON body as a payload error", async () => {
      // The docs' body is not JSON, which GitHub never sends: the signature passes (no 401) and
      // the payload is what is refused. An altered body is refused at the signature.
      await expectRejected(
        verify(docsScheme(), { headers: githubHeaders(docsSignature), rawBody: docsPayload }),
        "invalid_payload",
      );
      await expectRejected(
        verify(docsScheme(), { headers: githubHeaders(docsSignature), rawBody: "Hello, World?" }),
        "signature_mismatch",
      );
    });

    // @octokit/webhooks-methods test/sign.test.ts (sha256) and its former README (sha1).
    const libSecret = "mysecret";
    const libPayload = JSON.stringify({ foo: "bar" });
    const libSha256 = "sha256=4864d2759938a15468b5df9ade20bf161da9b4f737ea61794142f3484236bda3";
    const libSha1 = "sha1=d03207e4b030cf234e3447bac4d93add4c6643d8";

    it("octokit library vector: verifies and is reproduced by hookgate's sign", async () => {
      expect(libPayload).toBe('{"foo":"bar"}');
      const lib = schemes.github({ secret: libSecret });
      await expect(
        verify(lib, { headers: githubHeaders(libSha256, "d1"), rawBody: libPayload }),
      ).resolves.toMatchObject({ id: "d1", payload: { foo: "bar" } });
      expect((await lib.sign({ rawBody: libPayload }))["x-hub-signature-256"]).toBe(libSha256);
    });

    it("legacy sha1 vector: accepted only with allowSha1", async () => {
      const sha1Headers = {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": "d2",
        "x-hub-signature": libSha1,
      };
      await expect(
        verify(schemes.github({ secret: libSecret, allowSha1: true }), {
          headers: sha1Headers,
          rawBody: libPayload,
        }),
      ).resolves.toMatchObject({ id: "d2", type: "push" });
      await expectRejected(
        verify(schemes.github({ secret: libSecret }), { headers: sha1Headers, rawBody: libPayload }),
        "missing_signature",
      );
    });
  });
});
