import type { CryptoKeyMaterial } from "../internal/crypto.js";
import { journalHeaders } from "../journal/redact.js";
import {
  type InProcessJob,
  type QueueDispatchOptions,
  type QueuedDelivery,
  toQueuedDelivery,
} from "../queue.js";
import type { HeadersInput, WebhookEvent } from "../types.js";
import { ClaimedEvent, dispatchDelivery } from "./dispatch.js";
import type { Handlers } from "./handlers.js";
import type { Settings } from "./options.js";
import { keptOf, seal } from "./seal.js";
import { traceDispatch, traceJob } from "./telemetry.js";

/** What a job needs of the request that brought its delivery. */
export interface JobRequest {
  headers: HeadersInput;
  url?: string | undefined;
  params?: Readonly<Record<string, string>> | undefined;
}

/**
 * The job as plain JSON, sealed: what a queue that carries jobs out of the process is given.
 * Sealed at once where node:crypto is present (no promise turn before the hand-off).
 */
export function sealedJob(
  settings: Settings,
  event: WebhookEvent,
  matched: CryptoKeyMaterial | undefined,
  key: string,
  tenant: string,
  request: JobRequest,
): QueuedDelivery | Promise<QueuedDelivery> {
  const headers = journalHeaders(request.headers, settings.scheme, []);
  const kept = keptOf(event, key, tenant, headers, request);
  const queued = toQueuedDelivery(event, headers, request.url, key);
  if (tenant !== "") queued.tenant = tenant;
  if (kept.params) queued.params = { ...kept.params };
  const sealed = seal(settings, matched, kept);
  if (sealed instanceof Promise) {
    return sealed.then((value) => {
      queued.seal = value;
      return queued;
    });
  }
  queued.seal = sealed;
  return queued;
}

/**
 * The receiver's own job for a queue whose jobs never leave the process (`enqueueInProcess`):
 * the verified event as it is, its key and tenant — no JSON, no seal. Its sealed JSON form is
 * made only when something asks for it (a dead letter, a run with `verify: true`), from the
 * request it came with.
 */
export class HandedJob extends ClaimedEvent implements InProcessJob {
  traceparent?: string;
  tracestate?: string;
  readonly #settings: Settings;
  readonly #handlers: Handlers;
  readonly #matched: CryptoKeyMaterial | undefined;
  readonly #request: JobRequest;

  constructor(
    settings: Settings,
    handlers: Handlers,
    event: WebhookEvent,
    matched: CryptoKeyMaterial | undefined,
    key: string,
    tenant: string,
    request: JobRequest,
  ) {
    super(event, key, tenant);
    this.#settings = settings;
    this.#handlers = handlers;
    this.#matched = matched;
    this.#request = request;
  }

  get id(): string {
    return this.event.id;
  }

  get type(): string {
    return this.event.type;
  }

  run(options?: QueueDispatchOptions): Promise<void> {
    const settings = this.#settings;
    const handlers = this.#handlers;
    // Verifying means checking what a worker would be given: the sealed form, by the same code.
    if (options?.verify) {
      return this.queued().then((queued) =>
        traceDispatch(settings, queued, () => dispatchDelivery(settings, handlers, queued, options)),
      );
    }
    const run = () => dispatchDelivery(settings, handlers, this, options);
    if (!settings.telemetry?.dispatch) return run();
    const { event } = this;
    return traceJob(
      settings,
      {
        scheme: event.scheme,
        type: event.type,
        id: event.id,
        receivedAt: event.receivedAt,
        traceparent: this.traceparent,
        tracestate: this.tracestate,
      },
      run,
    );
  }

  async queued(): Promise<QueuedDelivery> {
    const queued = await sealedJob(
      this.#settings,
      this.event,
      this.#matched,
      this.key,
      this.tenant,
      this.#request,
    );
    if (this.traceparent !== undefined) queued.traceparent = this.traceparent;
    if (this.tracestate !== undefined) queued.tracestate = this.tracestate;
    return queued;
  }
}
