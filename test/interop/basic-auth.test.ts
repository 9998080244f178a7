/**
 * hookgate ↔ HTTP Basic authentication (RFC 7617) as a sender writes it: `Authorization: Basic`
 * and base64 of `user:password`, the scheme name in any case. RFC 7617 §2's own example
 * (`Aladdin` / `open sesame` → `QWxhZGRpbjpvcGVuIHNlc2FtZQ==`) is the vector.
 */
import { createReceiver, memoryJournal, schemes, verify } from "@hookgate/core";
import { fixtures, signedRequest } from "@hookgate/testing";
import { describe, expect, it } from "vitest";
import { expectRejected } from "./helpers.js";

const RFC_CREDENTIAL = "QWxhZGRpbjpvcGVuIHNlc2FtZQ==";
const body = JSON.stringify({ id: "evt_1", type: "thing.happened", data: {} });
const request = (authorization: string, extra: Record<string, string> = {}) => ({
  headers: { authorization, "content-type": "application/json", ...extra },
  rawBody: body,
});

describe("basicAuth", () => {
  const scheme = schemes.basicAuth({ secret: "Aladdin:open sesame" });

  it("signs RFC 7617's example credential, and verifies it in any case of the scheme name", async () => {
    const headers = await scheme.sign({ rawBody: body, id: "evt_1" });
    expect(headers.authorization).toBe(`Basic ${RFC_CREDENTIAL}`);
    for (const name of ["Basic", "basic", "BASIC"]) {
      await expect(verify(scheme, request(`${name} ${RFC_CREDENTIAL}`))).resolves.toMatchObject({
        id: "evt_1",
        type: "thing.happened",
        scheme: "basic-auth",
      });
    }
  });

  it("refuses another password, another auth scheme, and no credential", async () => {
    const wrong = Buffer.from("Aladdin:open sesame!").toString("base64");
    await expectRejected(verify(scheme, request(`Basic ${wrong}`)), "signature_mismatch");
    await expectRejected(verify(scheme, request(`Bearer ${RFC_CREDENTIAL}`)), "malformed_signature");
    await expectRejected(verify(scheme, { ...request(""), headers: {} }), "missing_signature");
  });

  it("is a token scheme: authorization is a credential header, and the body is not covered", () => {
    expect(scheme.facts).toMatchObject({
      credentialHeaders: ["authorization"],
      bodySigned: false,
      algorithms: ["token"],
    });
  });

  it("takes the id from Idempotency-Key or a header of the user's choice", async () => {
    const custom = schemes.basicAuth({
      secret: "Aladdin:open sesame",
      id: "X-Request-Id",
      type: { payload: "data.kind" },
    });
    const input = {
      ...request(`Basic ${RFC_CREDENTIAL}`, { "x-request-id": "req-9" }),
      rawBody: JSON.stringify({ data: { kind: "k" } }),
    };
    await expect(verify(custom, input)).resolves.toMatchObject({ id: "req-9", type: "k" });
    await expect(
      verify(scheme, request(`Basic ${RFC_CREDENTIAL}`, { "idempotency-key": "ik-1" })),
    ).resolves.toMatchObject({
      id: "ik-1",
    });
  });

  it("a receiver handles a signed fixture once, and its journal never keeps the credential", async () => {
    const journal = memoryJournal();
    const receiver = createReceiver({ scheme, journal });
    const seen: string[] = [];
    receiver.on("thing.happened", (event) => {
      seen.push(event.id);
    });
    const url = "https://hooks.example.com/basic";
    const payload = fixtures.basicAuth.event();
    for (let i = 0; i < 2; i++) {
      const response = await receiver.fetch(await signedRequest(scheme, url, payload, { id: "delivery-1" }));
      expect(response.status).toBe(200);
    }
    expect(seen).toEqual(["delivery-1"]);
    const rows = JSON.stringify(await journal.list({}));
    expect(rows).toContain("delivery-1");
    expect(rows).not.toContain(RFC_CREDENTIAL);
    expect(rows.toLowerCase()).not.toContain("open sesame");
  });
});
