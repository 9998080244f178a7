import { createAlerts } from "../alerts/create-alerts.js";
import type { WebhookErrorCode } from "../errors.js";
import { WebhookError } from "../errors.js";
import type { EventMap, ResolveEvents, SchemaMap } from "../event-types.js";
import type { QueuedDelivery } from "../queue.js";
import { copyDelivery } from "../scheme/verified-signature.js";
import type { Delivery, WebhookEvent } from "../types.js";
import { accepted, handshakeReply, reply } from "./answers.js";
import { readRequestBody } from "./body.js";
import { bindBody, claimKey, idempotencyKey } from "./claim.js";
import { dispatchDelivery } from "./dispatch.js";
import { checkClient, checkShape } from "./guards.js";
import { handOff } from "./hand-off.js";
import { createHandlers } from "./handlers.js";
import { identityOf } from "./identity.js";
import { journalError, journalIgnored, journalReceived, journalUpdate } from "./journal.js";
import { completeLease, type Lease } from "./lease.js";
import { resolveOptions } from "./options.js";
import { advanceOrder, answerStale, judgeOrder } from "./ordering.js";
import { replayDeliveries } from "./replay.js";
import { settleFailure, settleSuccess } from "./settle.js";
import type {
  HandleInput,
  HandleResult,
  Handler,
  Receiver,
  ReceiverEvent,
  ReceiverOptions,
} from "./types.js";
import { hasSchema, validatePayload } from "./validate.js";

/**
 * Creates a webhook receiver. The event types come from a generic type map, or are inferred
 * from `events` schemas; without either, any type is accepted with an `unknown` payload.
 * Options are checked here: a set-up mistake throws `invalid_option` now, not per request.
 *
 * @example
 * const receiver = createReceiver({ scheme: schemes.stripe({ secret }), events: { "invoice.paid": InvoicePaid } });
 * receiver.on("invoice.paid", async (event) => { await markPaid(event.payload.data.object.id) });
 * export default { fetch: receiver.fetch };
 */
export function createReceiver<Events extends object = never, const S extends SchemaMap = {}>(
  options: ReceiverOptions<S>,
): Receiver<ResolveEvents<Events, S>> {
  // Settings are frozen at creation; a journal failure that changes no answer goes to onError.
  const settings = resolveOptions(options, (error, delivery) =>
    handlers.report(
      error,
      delivery && "receivedAt" in delivery ? { delivery: delivery as WebhookEvent } : {},
    ),
  );
  const { scheme } = settings;
  const alerts = settings.alerts && createAlerts(settings.alerts, scheme.name, settings.now);
  const handlers = createHandlers(alerts ? withAlerts(settings.observe, alerts.observe) : settings.observe);
  const loggedSetupErrors = new Set<WebhookErrorCode>();
  // A queue that runs handlers in-process (memoryQueue) binds each job to this receiver.
  let enqueue = settings.queue ? (delivery: QueuedDelivery) => settings.queue!.enqueue(delivery) : undefined;

  /** The pipeline: guards → body → challenge → verify → handshake → one delivery per event. */
  async function handle(input: HandleInput): Promise<HandleResult> {
    const receivedAt = settings.now();
    let deliveries: Delivery[];
    let rawBody: Uint8Array | undefined;
    try {
      const contentType = checkClient(settings, input);
      rawBody = await readRequestBody(settings, input);
      const method = (input.method ?? "POST").toUpperCase();
      const challenge =
        scheme.challenge &&
        (await scheme.challenge({
          method,
          url: input.url,
          headers: input.headers,
          rawBody,
          // Per-tenant secrets need them: Zoom verifies its url_validation, Asana's handshake asks
          // whether the webhook already has a secret.
          params: input.params,
        }));
      if (challenge) {
        handlers.emit({ kind: "handshake" });
        return handshakeReply(challenge);
      }
      checkShape(settings, method, contentType);
      const delivery = await scheme.verify(
        { headers: input.headers, rawBody, url: input.url, method, params: input.params },
        { tolerance: settings.tolerance, now: receivedAt },
      );
      const { id, type, matchedSecret } = delivery;
      handlers.emit({ kind: "verified", id, type, scheme: delivery.scheme, matchedSecret });
      const handshake = scheme.handshake?.(delivery);
      if (handshake) {
        handlers.emit({ kind: "handshake", id, type });
        return handshakeReply(handshake, id);
      }
      deliveries = scheme.split ? scheme.split(delivery) : [delivery];
    } catch (caught) {
      return settleFailure(settings, handlers, caught, undefined, undefined, loggedSetupErrors, {
        headers: input.headers,
        url: input.url,
        rawBody,
      });
    }
    if (deliveries.length === 1) return accept(copyDelivery(deliveries[0]!, { receivedAt }), input);
    // A batch: each event is claimed and handed off on its own. The answer is the first failure,
    // so the sender retries the batch, and the events already done answer duplicate then.
    const results: HandleResult[] = [];
    for (const delivery of deliveries)
      results.push(await accept(copyDelivery(delivery, { receivedAt }), input));
    return (
      results.find((result) => result.status >= 300) ??
      reply("handled", 200, {
        status: "handled",
        deliveries: results.map((result) => ({ id: result.id, status: result.outcome })),
      })
    );
  }

  /** One verified delivery: claim → validate → journal → hand-off → settle. */
  async function accept(event: WebhookEvent, input: HandleInput): Promise<HandleResult> {
    let lease: Lease | undefined;
    try {
      const tenant = await identityOf(settings, event);
      const key = await idempotencyKey(settings, event, tenant);
      const claim = await claimKey(settings, key, event.id);
      if ("duplicate" in claim) {
        handlers.emit({ kind: "duplicate", id: event.id, type: event.type });
        return accepted("duplicate", 200, event.id);
      }
      lease = claim.lease;
      await bindBody(settings, key, event);
      if (hasSchema(settings, event.type))
        event.payload = await validatePayload(settings, event.type, event.payload);
      // The journal's start time travels with the lease, the request's one value from here on.
      if (settings.journal) lease.journaledAt = await journalReceived(settings, event, input, key, tenant);
      if (!enqueue && !handlers.has(event.type)) return await unhandled(event, lease);
      // With a queue, order is judged in the worker, when the work is applied.
      const order = enqueue ? undefined : await judgeOrder(settings, event, tenant);
      if (order?.stale) return await answerStale(settings, handlers, event, lease, order);
      const outcome = await handOff(settings, handlers, event, lease, tenant, input, enqueue);
      await advanceOrder(settings, order, (error) => handlers.report(error, { delivery: event }));
      await settleSuccess(settings, handlers, event, lease, outcome);
      return outcome === "queued" ? accepted("queued", 202, event.id) : accepted("handled", 200, event.id);
    } catch (caught) {
      return settleFailure(settings, handlers, caught, event, lease, loggedSetupErrors);
    }
  }

  /** A verified event no handler is registered for: acknowledged (and remembered), or refused. */
  async function unhandled(event: WebhookEvent, lease: Lease): Promise<HandleResult> {
    if (settings.unknownEvents === "reject") {
      throw new WebhookError(
        "unhandled_event",
        `hookgate: no handler is registered for ${event.type} events`,
      );
    }
    handlers.emit({ kind: "unhandled", id: event.id, type: event.type });
    await journalIgnored(settings, event, lease);
    await completeLease(settings, lease, event, (error) => handlers.report(error, { delivery: event }));
    return accepted("ignored", 200, event.id);
  }

  const receiver: Receiver<EventMap> = {
    scheme,
    on(type, handler) {
      handlers.on(type, handler as Handler<WebhookEvent>);
      return this;
    },
    onAny(handler) {
      handlers.onAny(handler as Handler<WebhookEvent>);
      return this;
    },
    onError(listener) {
      handlers.onError(listener);
      return this;
    },
    handle,
    async fetch(request, context) {
      const result = await handle({
        method: request.method,
        url: context?.url ?? request.url,
        headers: request.headers,
        // A declared length is read whole (faster than a stream), after core checked the length.
        rawBody:
          !request.bodyUsed && request.headers.has("content-length")
            ? () => request.arrayBuffer()
            : (request.body ?? new Uint8Array(0)),
        ip: context?.ip,
        params: context?.params,
        bodyConsumedBy: request.bodyUsed
          ? "code that ran before hookgate (request.json(), request.text(), request.formData() or a framework's body parsing)"
          : undefined,
      });
      return new Response(result.body, { status: result.status, headers: result.headers });
    },
    dispatch: (delivery, dispatchOptions) => dispatchDelivery(settings, handlers, delivery, dispatchOptions),
    replay: (target, replayOptions) => replayDeliveries(settings, handlers, enqueue, target, replayOptions),
    deadLetter(delivery, error) {
      const kept = journalError(error);
      handlers.emit({ kind: "dead_letter", id: delivery.id, type: delivery.type, code: kept.code, error });
      return journalUpdate(
        settings,
        { id: delivery.id, key: ("key" in delivery && delivery.key) || delivery.id },
        { status: "dead", at: settings.now(), error: kept },
      );
    },
  };
  const bound = settings.queue?.attach?.((queued, options) => receiver.dispatch(queued, options), {
    deadLetter: (queued, error) => receiver.deadLetter(queued, error),
  });
  if (bound) enqueue = (delivery) => bound.enqueue(delivery);
  return receiver as unknown as Receiver<ResolveEvents<Events, S>>;
}

/** The user's `observe` and the receiver's alerts, both told every event (alerts first, never throwing). */
function withAlerts(
  observe: ((event: ReceiverEvent) => void) | undefined,
  alerts: (event: ReceiverEvent) => void,
): (event: ReceiverEvent) => void {
  if (!observe) return alerts;
  return (event) => {
    try {
      alerts(event);
    } finally {
      observe(event);
    }
  };
}
