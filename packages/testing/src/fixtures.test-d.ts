import { createReceiver, schemes, type WebhookErrorCode } from "@hookgate/core";
import { describe, expectTypeOf, it } from "vitest";
import {
  type FixtureOverrides,
  type FixturePayload,
  fixtures,
  type GithubPullRequestOpenedEvent,
  type ShopifyOrder,
  type SignedFixture,
  type StripeInvoicePaidEvent,
  signedFixture,
  type TestHandlerResult,
  testHandler,
} from "./index.js";

describe("fixture types", () => {
  it("each fixture returns its provider's typed payload", () => {
    expectTypeOf(fixtures.stripe.invoicePaid()).toEqualTypeOf<StripeInvoicePaidEvent>();
    expectTypeOf(fixtures.github.pullRequestOpened()).toEqualTypeOf<GithubPullRequestOpenedEvent>();
    expectTypeOf(fixtures.shopify.ordersCreate()).toEqualTypeOf<ShopifyOrder>();
    expectTypeOf(fixtures.stripe.invoicePaid().data.object.amount_paid).toBeNumber();
    expectTypeOf(fixtures.slack.appMention().event.type).toEqualTypeOf<"app_mention">();
  });

  it("FixturePayload names any fixture's payload type by provider and fixture", () => {
    expectTypeOf<FixturePayload<"stripe", "invoicePaid">>().toEqualTypeOf<StripeInvoicePaidEvent>();
    expectTypeOf<FixturePayload<"shopify", "ordersCreate">>().toEqualTypeOf<ShopifyOrder>();
  });

  it("overrides are deep partials of the payload, type-checked", () => {
    expectTypeOf(fixtures.stripe.invoicePaid)
      .parameter(0)
      .toEqualTypeOf<FixtureOverrides<StripeInvoicePaidEvent> | undefined>();
    fixtures.stripe.invoicePaid({ data: { object: { amount_paid: 1 } } });
    // @ts-expect-error amount_paid is a number of cents
    fixtures.stripe.invoicePaid({ data: { object: { amount_paid: "1.00" } } });
    // @ts-expect-error no such field
    fixtures.github.push({ reff: "refs/heads/x" });
  });

  it("the payload types a receiver's handlers", () => {
    const receiver = createReceiver<{ "invoice.paid": StripeInvoicePaidEvent }>({
      scheme: schemes.stripe({ secret: "s" }),
    });
    receiver.on("invoice.paid", (event) => {
      expectTypeOf(event.payload.data.object.customer).toBeString();
    });
  });

  it("signedFixture and testHandler", async () => {
    const scheme = schemes.stripe({ secret: "s" });
    expectTypeOf(
      signedFixture(scheme, fixtures.stripe.invoicePaid()),
    ).resolves.toEqualTypeOf<SignedFixture>();
    const result = await testHandler(createReceiver({ scheme }), await signedFixture(scheme, "{}"));
    expectTypeOf(result).toEqualTypeOf<TestHandlerResult>();
    expectTypeOf(result.outcome).toEqualTypeOf<
      "handled" | "queued" | "duplicate" | "stale" | "handshake" | "ignored" | "rejected"
    >();
    expectTypeOf(result.code).toEqualTypeOf<WebhookErrorCode | undefined>();
  });
});
