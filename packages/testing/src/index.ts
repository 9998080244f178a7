export type { Ed25519KeyPair } from "./ed25519-key-pair.js";
export { ed25519KeyPair } from "./ed25519-key-pair.js";
export type { AsanaEvent } from "./fixtures/asana.js";
export type { SesDeliveryNotification } from "./fixtures/aws-sns.js";
export type { BitbucketPush } from "./fixtures/bitbucket.js";
export type { BoxFile, BoxWebhookEvent } from "./fixtures/box.js";
export type { CalComBooking, CalComEvent } from "./fixtures/cal-com.js";
export type { CalendlyEvent, CalendlyInvitee } from "./fixtures/calendly.js";
export type { ClerkEvent, ClerkUser } from "./fixtures/clerk.js";
export type { CoinbaseCharge, CoinbaseWebhook } from "./fixtures/coinbase.js";
export type {
  DiscordApplicationCommandInteraction,
  DiscordCommandOption,
  DiscordInteraction,
  DiscordPingInteraction,
  DiscordUser,
} from "./fixtures/discord.js";
export type { DropboxNotification } from "./fixtures/dropbox.js";
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
export type { GitlabPushEvent } from "./fixtures/gitlab.js";
export type { HubspotEvent } from "./fixtures/hubspot.js";
export type { FixtureCatalogEntry, FixturePayload, FixtureProvider } from "./fixtures/index.js";
export { fixtureCatalog, fixtures } from "./fixtures/index.js";
export type { IntercomContact, IntercomNotification } from "./fixtures/intercom.js";
export type { LemonSqueezyEvent, LemonSqueezyOrder } from "./fixtures/lemon-squeezy.js";
export type { LineTextMessageEvent, LineWebhook } from "./fixtures/line.js";
export type { LinearIssue, LinearIssueCreateEvent, LinearWebhook } from "./fixtures/linear.js";
export type { MailgunEvent } from "./fixtures/mailgun.js";
export type { MuxAsset, MuxEvent } from "./fixtures/mux.js";
export type { NotionEvent } from "./fixtures/notion.js";
export type {
  PaddleEvent,
  PaddleTransaction,
  PaddleTransactionCompletedEvent,
  PaddleTransactionItem,
} from "./fixtures/paddle.js";
export type { PolarEvent, PolarOrder } from "./fixtures/polar.js";
export type { ResendEmailEvent } from "./fixtures/resend.js";
export type { SendgridEvent } from "./fixtures/sendgrid.js";
export type { SentryIssue, SentryWebhook } from "./fixtures/sentry.js";
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
export type { SquareEvent, SquarePayment } from "./fixtures/square.js";
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
export type { TelegramMessageUpdate } from "./fixtures/telegram.js";
export type { TrelloCardUpdate, TrelloWebhook } from "./fixtures/trello.js";
export type { TwilioIncomingMessage } from "./fixtures/twilio.js";
export type { TwitchFollowEvent, TwitchNotification, TwitchSubscription } from "./fixtures/twitch.js";
export type { TypeformResponseEvent } from "./fixtures/typeform.js";
export type { VercelDeploymentPayload, VercelEvent } from "./fixtures/vercel.js";
export type { WorkosEvent, WorkosUser } from "./fixtures/workos.js";
export type { ZendeskEvent, ZendeskTicketDetail } from "./fixtures/zendesk.js";
export type { ZoomEvent, ZoomMeeting } from "./fixtures/zoom.js";
export type { FixtureFactory } from "./internal/define-fixture.js";
export type { FixtureOverrides } from "./internal/merge.js";
export type { JournalScenario, JournalSetup } from "./journal-conformance.js";
export { journalConformance } from "./journal-conformance.js";
export type { QueueHarness, QueueScenario } from "./queue-conformance.js";
export { queueConformance } from "./queue-conformance.js";
export type { SignedFixture, SignedFixtureOptions, Tamper } from "./signed-fixture.js";
export { signedFixture, signedRequest } from "./signed-fixture.js";
export type { SigningSchemeName } from "./signing-scheme.js";
export { resolveSchemeName, signingScheme, signingSchemeNames } from "./signing-scheme.js";
export type { SnsTestSigningKey } from "./sns-signing-key.js";
export { snsSigningKey } from "./sns-signing-key.js";
export type { StoreConformanceOptions, StoreScenario } from "./store-conformance.js";
export { storeConformance } from "./store-conformance.js";
export type {
  TestableReceiver,
  TestHandlerOptions,
  TestHandlerOutcome,
  TestHandlerResult,
} from "./test-handler.js";
export { testHandler } from "./test-handler.js";
export type { WorkerHarness, WorkerScenario, WorkerSetup } from "./worker-conformance.js";
export { workerConformance } from "./worker-conformance.js";
