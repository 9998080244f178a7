/**
 * hookgate ↔ Microsoft Graph change notifications. Graph ships no receiving SDK: the sender here
 * is its documented protocol (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks):
 * the validation POST with `?validationToken=`, echoed as text/plain within 10 s, and notification
 * batches whose every `value[]` item carries the subscription's `clientState`, as in the
 * documentation's example notification.
 */
import { createReceiver, memoryJournal, schemes, verify } from "@hookgate/core";
import { fixtures, signedRequest } from "@hookgate/testing";
import { expect, it } from "vitest";
import { describeEachCryptoBackend, expectRejected } from "./helpers.js";

const CLIENT_STATE = "secretClientValue-9f2c4b7e";
const url = "https://hooks.example.com/graph";

/** Two notifications as Graph documents them (a message created, and one updated), with a clientState. */
function documented(clientState: string = CLIENT_STATE, second: string | null = clientState) {
  const item = (changeType: string, etag: string, state: string | null) => ({
    subscriptionId: "7f105c7d-2dc5-4530-97cd-4e7ae6534c07",
    subscriptionExpirationDateTime: "2026-12-20T18:23:45.9356913Z",
    changeType,
    resource: "Users/7a8f3c20-4a5b-4c1e-9d2f-0b1c2d3e4f50/Messages/AAMkADIxZDQ=",
    resourceData: {
      "@odata.type": "#Microsoft.Graph.Message",
      "@odata.id": "Users/7a8f3c20-4a5b-4c1e-9d2f-0b1c2d3e4f50/Messages/AAMkADIxZDQ=",
      "@odata.etag": etag,
      id: "AAMkADIxZDQ=",
    },
    ...(state === null ? {} : { clientState: state }),
    tenantId: "84bd8158-6d4d-4958-8b9f-9d6445542f95",
  });
  return JSON.stringify({
    value: [item("created", 'W/"CQAAABYAAAD"', clientState), item("updated", 'W/"CQAAABYAAAE"', second)],
  });
}
const post = (rawBody: string) => ({
  method: "POST",
  url,
  headers: { "content-type": "application/json" },
  rawBody,
});

describeEachCryptoBackend("Microsoft Graph ↔ hookgate", () => {
  const scheme = schemes.microsoftGraph({ clientState: CLIENT_STATE });

  it("answers the validation request with the token, decoded, as text/plain, running no handler", async () => {
    const receiver = createReceiver({ scheme });
    let ran = false;
    receiver.onAny(() => {
      ran = true;
    });
    const token = "Validation: Testing client application reachability for subscription Request-Id: 1b2c";
    const response = await receiver.fetch(
      new Request(`${url}?validationToken=${encodeURIComponent(token)}`, {
        method: "POST",
        headers: { "content-type": "text/plain; charset=utf-8" },
      }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await response.text()).toBe(token);
    expect(ran).toBe(false);
  });

  it("checks the clientState of every notification and splits the batch, one delivery each", async () => {
    const journal = memoryJournal();
    const receiver = createReceiver({ scheme, journal });
    const seen: string[] = [];
    receiver.onAny((event) => {
      seen.push(`${event.type} ${event.id}`);
    });
    const response = await receiver.handle(post(documented()));
    expect(response.status).toBe(200);
    expect(seen).toEqual([
      'created 7f105c7d-2dc5-4530-97cd-4e7ae6534c07:created:Users/7a8f3c20-4a5b-4c1e-9d2f-0b1c2d3e4f50/Messages/AAMkADIxZDQ=:W/"CQAAABYAAAD"',
      'updated 7f105c7d-2dc5-4530-97cd-4e7ae6534c07:updated:Users/7a8f3c20-4a5b-4c1e-9d2f-0b1c2d3e4f50/Messages/AAMkADIxZDQ=:W/"CQAAABYAAAE"',
    ]);
    // A redelivery of the batch is a duplicate, notification by notification.
    await receiver.handle(post(documented()));
    expect(seen).toHaveLength(2);
    // The clientState is a shared secret: the journal keeps the notifications, never it.
    const rows = JSON.stringify(await journal.list({}));
    expect(rows).toContain("AAMkADIxZDQ=");
    expect(rows).not.toContain(CLIENT_STATE);
  });

  it("refuses another clientState, a notification without one, and a batch mixing them", async () => {
    await expectRejected(verify(scheme, post(documented("anotherClientValue"))), "signature_mismatch");
    await expectRejected(verify(scheme, post(documented(CLIENT_STATE, null))), "missing_signature");
    await expectRejected(
      verify(scheme, post(documented(CLIENT_STATE, "anotherClientValue"))),
      "signature_mismatch",
    );
    await expectRejected(verify(scheme, post(JSON.stringify({ value: [] }))), "missing_signature");
  });

  it("is a shared secret in the body: the body is not covered, and no header carries it", () => {
    expect(scheme.facts).toMatchObject({ algorithms: ["token"], bodySigned: false, signatureHeaders: [] });
    expect(scheme.sign).toBeUndefined();
  });

  it("a fixture signed by the scheme carries the clientState in every notification and is handled", async () => {
    const receiver = createReceiver({ scheme });
    const seen: string[] = [];
    receiver.on("created", (event) => {
      seen.push(event.type);
    });
    const request = await signedRequest(scheme, url, fixtures.microsoftGraph.messageCreated());
    const body = (await request.clone().json()) as { value: { clientState: string }[] };
    expect(body.value.map((item) => item.clientState)).toEqual([CLIENT_STATE]);
    expect((await receiver.fetch(request)).status).toBe(200);
    expect(seen).toEqual(["created"]);
  });
});
