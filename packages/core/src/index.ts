export type { NotifierOptions, WebhookNotifierOptions } from "./alerts/notifiers.js";
export { discordNotifier, slackNotifier, webhookNotifier } from "./alerts/notifiers.js";
export type { Alert, AlertKind, AlertOptions, Notifier } from "./alerts/types.js";
export type { WebhookErrorOptions } from "./errors.js";
export { isWebhookError, WebhookError, WebhookErrorCode, webhookErrorStatus } from "./errors.js";
export type {
  AnyEvent,
  EventFor,
  EventMap,
  EventName,
  InferEvents,
  SchemaMap,
  TypedEvent,
} from "./event-types.js";
export type { KeyDecoder } from "./internal/secrets.js";
export {
  base64Key,
  ed25519PrivateHex,
  ed25519PublicHex,
  hexKey,
  standardWebhooksKey,
  utf8Key,
} from "./internal/secrets.js";
export { findJournalEntry } from "./journal/find-entry.js";
export type { MemoryJournal, MemoryJournalOptions } from "./journal/memory-journal.js";
export { memoryJournal } from "./journal/memory-journal.js";
export type {
  DeliveryJournal,
  JournalAttempt,
  JournalEntry,
  JournalError,
  JournalFilter,
  JournalMinute,
  JournalOptions,
  JournalPage,
  JournalRecord,
  JournalRejection,
  JournalStats,
  JournalStatus,
  JournalSummary,
  JournalUpdate,
  RejectedRequest,
} from "./journal.js";
export { journalStatuses } from "./journal.js";
export type { MemoryQueue, MemoryQueueOptions, RetryOptions } from "./queue/memory-queue.js";
export { memoryQueue } from "./queue/memory-queue.js";
export type { Queue, QueuedDelivery } from "./queue.js";
export { createReceiver } from "./receiver/create-receiver.js";
export type {
  DispatchOptions,
  ErrorContext,
  HandleInput,
  HandleOutcome,
  HandleResult,
  Handler,
  HttpAnswer,
  OrderingOptions,
  Receiver,
  ReceiverEvent,
  ReceiverOptions,
  ReplayOptions,
  ReplayResult,
  RespondAnswer,
  Responder,
} from "./receiver/types.js";
export type { CachedSecretsOptions } from "./scheme/cached-secrets.js";
export { cachedSecrets } from "./scheme/cached-secrets.js";
export { defineScheme } from "./scheme/define-scheme.js";
export type {
  ContentContext,
  EventTimeSpec,
  SchemeDefinition,
  SchemeKeys,
  SignatureAlgorithm,
  SignatureFormat,
  SignatureSpec,
  SourceContext,
  TimestampSpec,
  ValueSource,
} from "./scheme/definition.js";
export { parseForm, parsePayload } from "./scheme/payload.js";
export type { AsanaSchemeOptions } from "./schemes/asana.js";
export type { AwsSnsSchemeOptions, SnsConfirmation, SnsSigningKey } from "./schemes/aws-sns.js";
export type { BitbucketSchemeOptions } from "./schemes/bitbucket.js";
export type { BoxSchemeOptions } from "./schemes/box.js";
export type { SchemeKey, SchemeOptions, SchemeSigningOptions } from "./schemes/by-name.js";
export {
  resolveSchemeKey,
  schemeForSecret,
  schemeNameOf,
  schemeNames,
  schemeNeedsOptions,
} from "./schemes/by-name.js";
export type { CalComSchemeOptions } from "./schemes/cal-com.js";
export type { CalendlySchemeOptions } from "./schemes/calendly.js";
export type { ClerkSchemeOptions } from "./schemes/clerk.js";
export type { CoinbaseSchemeOptions } from "./schemes/coinbase.js";
export type {
  DiscordInteractionResponse,
  DiscordMessageData,
  DiscordSchemeOptions,
} from "./schemes/discord.js";
export type { DropboxSchemeOptions } from "./schemes/dropbox.js";
export type { GithubSchemeOptions } from "./schemes/github.js";
export type { GitlabSchemeOptions } from "./schemes/gitlab.js";
export type { HmacSchemeOptions } from "./schemes/hmac.js";
export type { HubspotSchemeOptions } from "./schemes/hubspot.js";
export { schemes } from "./schemes/index.js";
export type { IntercomSchemeOptions } from "./schemes/intercom.js";
export type { LemonSqueezySchemeOptions } from "./schemes/lemon-squeezy.js";
export type { LineSchemeOptions } from "./schemes/line.js";
export type { LinearSchemeOptions } from "./schemes/linear.js";
export type { MailgunSchemeOptions } from "./schemes/mailgun.js";
export type { MuxSchemeOptions } from "./schemes/mux.js";
export type { NotionSchemeOptions } from "./schemes/notion.js";
export type { PaddleSchemeOptions } from "./schemes/paddle.js";
export type { PolarSchemeOptions } from "./schemes/polar.js";
export type { ResendSchemeOptions } from "./schemes/resend.js";
export type { SendgridSchemeOptions } from "./schemes/sendgrid.js";
export type { SentrySchemeOptions } from "./schemes/sentry.js";
export type { SecretSchemeOptions } from "./schemes/shared.js";
export type { ShopifySchemeOptions } from "./schemes/shopify.js";
export type { SlackAnswer, SlackSchemeOptions } from "./schemes/slack.js";
export type { SquareSchemeOptions } from "./schemes/square.js";
export type { StandardWebhooksSchemeOptions } from "./schemes/standard-webhooks.js";
export type { StripeSchemeOptions } from "./schemes/stripe.js";
export type { TelegramSchemeOptions } from "./schemes/telegram.js";
export type { TrelloSchemeOptions } from "./schemes/trello.js";
export type { TwilioSchemeOptions } from "./schemes/twilio.js";
export type { TwitchSchemeOptions } from "./schemes/twitch.js";
export type { TypeformSchemeOptions } from "./schemes/typeform.js";
export type { VercelSchemeOptions } from "./schemes/vercel.js";
export type { WorkosSchemeOptions } from "./schemes/workos.js";
export type { ZendeskSchemeOptions } from "./schemes/zendesk.js";
export type { ZoomSchemeOptions } from "./schemes/zoom.js";
export type { StandardSchemaV1 } from "./standard-schema.js";
export type { MemoryStore, MemoryStoreOptions } from "./store/memory-store.js";
export { memoryStore } from "./store/memory-store.js";
export type { Claim, IdempotencyStore } from "./store.js";
export type {
  Telemetry,
  TelemetryAnswer,
  TelemetryDelivery,
  TelemetryDispatch,
  TelemetryJob,
  TelemetryPublish,
  TelemetryRequest,
  TraceContext,
} from "./telemetry.js";
export type {
  ChallengeRequest,
  Delivery,
  FieldFacts,
  HandshakeReply,
  HeaderSigningScheme,
  HeadersInput,
  MatchedSecret,
  RawBody,
  Scheme,
  SchemeDeadline,
  SchemeFacts,
  SecretEntry,
  SecretInput,
  SecretRequest,
  SecretResolver,
  SignatureAlgorithmFact,
  SignedRequest,
  SignInput,
  StaticSecrets,
  VerifyInput,
  VerifyOptions,
  WebhookEvent,
} from "./types.js";
export { verify } from "./verify.js";
