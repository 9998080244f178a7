export type { Ed25519KeyPair } from "./ed25519-key-pair.js";
export { ed25519KeyPair } from "./ed25519-key-pair.js";
export type {
  DiscordApplicationCommandInteraction,
  DiscordCommandOption,
  DiscordInteraction,
  DiscordPingInteraction,
  DiscordUser,
} from "./fixtures/discord.js";
export type {
  GithubIssue,
  GithubIssuesOpenedEvent,
  GithubLabel,
  GithubPullRequest,
  GithubPullRequestOpenedEvent,
  GithubPullRequestRef,
  GithubPushCommit,
  GithubPushEvent,
  GithubRepository,
  GithubUser,
} from "./fixtures/github.js";
export type { FixtureCatalogEntry, FixtureProvider } from "./fixtures/index.js";
export { fixtureCatalog, fixtures } from "./fixtures/index.js";
export type { LinearIssue, LinearIssueCreateEvent, LinearWebhook } from "./fixtures/linear.js";
export type {
  PaddleEvent,
  PaddleTransaction,
  PaddleTransactionCompletedEvent,
  PaddleTransactionItem,
} from "./fixtures/paddle.js";
export type {
  ShopifyAddress,
  ShopifyLineItem,
  ShopifyMoneySet,
  ShopifyOrder,
} from "./fixtures/shopify.js";
export type {
  SlackAppMentionCallback,
  SlackAppMentionEvent,
  SlackEventCallback,
  SlackUrlVerification,
} from "./fixtures/slack.js";
export type {
  StandardWebhooksEvent,
  StandardWebhooksInvoice,
  StandardWebhooksInvoicePaidEvent,
} from "./fixtures/standard-webhooks.js";
export type {
  StripeAddress,
  StripeCheckoutSession,
  StripeCheckoutSessionCompletedEvent,
  StripeEvent,
  StripeInvoice,
  StripeInvoiceLineItem,
  StripeInvoicePaidEvent,
} from "./fixtures/stripe.js";
export type { TwilioIncomingMessage } from "./fixtures/twilio.js";
export type { FixtureFactory } from "./internal/define-fixture.js";
export type { FixtureOverrides } from "./internal/merge.js";
export type { JournalScenario, JournalSetup } from "./journal-conformance.js";
export { journalConformance } from "./journal-conformance.js";
export type { SignedFixture, SignedFixtureOptions, Tamper } from "./signed-fixture.js";
export { signedFixture, signedRequest } from "./signed-fixture.js";
export type { SigningSchemeName } from "./signing-scheme.js";
export { resolveSchemeName, signingScheme, signingSchemeNames } from "./signing-scheme.js";
export type { StoreConformanceOptions, StoreScenario } from "./store-conformance.js";
export { storeConformance } from "./store-conformance.js";
export type {
  TestableReceiver,
  TestHandlerOptions,
  TestHandlerOutcome,
  TestHandlerResult,
} from "./test-handler.js";
export { testHandler } from "./test-handler.js";
