/**
 * hookgate ↔ a sender with a shared bearer token: `Authorization: Bearer <token>` (RFC 6750 §2.1's
 * form, the scheme name in any case), the token compared in constant time.
 */
import { createReceiver, memoryJournal, schemes, verify } from "@hookgate/core";
import { fixtures, signedRequest } from "@hookgate/testing";
import { describe, expect, it } from "vitest";
import { expectRejected } from "./helpers.js";

// RFC 6750 §2.1's example token.
const TOKEN = "mF_9.B5f-4.1JqM";
const body = JSON.stringify({ id: "evt_1", type: "thing.happened", data: {} });
const request = (authorization: string | undefined, extra: Record<string, string> = {}) => ({
  headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}), ...extra },
  rawBody: body,
});

describe("bearerToken", () => {
  const scheme = schemes.bearerToken({ secret: [TOKEN, "previous-token"] });

  it("signs RFC 6750's form, and verifies it in any case of the scheme name, with rotation", async () => {
    expect((await scheme.sign({ rawBody: body, id: "evt_1" })).authorization).toBe(`Bearer ${TOKEN}`);
    for (const name of ["Bearer", "bearer", "BEARER"]) {
      await expect(verify(scheme, request(`${name} ${TOKEN}`))).resolves.toMatchObject({
        id: "evt_1",
        type: "thing.happened",
        scheme: "bearer-token",
        matchedSecret: { index: 0 },
      });
    }
    await expect(verify(scheme, request("Bearer previous-token"))).resolves.toMatchObject({
      matchedSecret: { index: 1 },
    });
  });

  it("refuses another token, a prefix of it, a Basic credential, and none", async () => {
    await expectRejected(verify(scheme, request(`Bearer ${TOKEN}x`)), "signature_mismatch");
    await expectRejected(verify(scheme, request(`Bearer ${TOKEN.slice(0, -1)}`)), "signature_mismatch");
    await expectRejected(verify(scheme, request(`Basic ${TOKEN}`)), "malformed_signature");
    await expectRejected(verify(scheme, request(undefined)), "missing_signature");
  });

  it("is a token scheme: authorization is a credential header, and the body is not covered", () => {
    expect(scheme.facts).toMatchObject({
      credentialHeaders: ["authorization"],
      bodySigned: false,
      algorithms: ["token"],
    });
  });

  it("a receiver handles a signed fixture once, and its journal never keeps the token", async () => {
    const journal = memoryJournal();
    const receiver = createReceiver({ scheme, journal });
    const seen: string[] = [];
    receiver.on("thing.happened", (event) => {
      seen.push(event.id);
    });
    const url = "https://hooks.example.com/bearer";
    const payload = fixtures.bearerToken.event();
    for (let i = 0; i < 2; i++) {
      const response = await receiver.fetch(await signedRequest(scheme, url, payload, { id: "delivery-1" }));
      expect(response.status).toBe(200);
    }
    expect(seen).toEqual(["delivery-1"]);
    const rows = JSON.stringify(await journal.list({}));
    expect(rows).toContain("delivery-1");
    expect(rows).not.toContain(TOKEN);
  });
});
