import { WebhookError } from "@hookgate/core";
import { checkOption, type QueueHealth } from "@hookgate/core/kit";
import { type ConsumerInfo, jetstreamManager } from "@nats-io/jetstream";
import { deadLetterSubjectOf, deliveriesSubjectOf } from "./internal/topology.js";
import { DEFAULT_CONSUMER_NAME, DEFAULT_STREAM_NAME, type NatsConnectionLike } from "./nats-queue.js";

/** The stream and consumer {@link natsHealth} checks: the receiver's `natsQueue`, or the same options. */
export interface NatsHealthQueue {
  connection: NatsConnectionLike;
  /** The stream. @default "hookgate-deliveries" */
  name?: string | undefined;
  /** The workers' durable consumer. @default "hookgate-workers" */
  consumer?: string | undefined;
}

/** Options for {@link natsHealth}. */
export interface NatsHealthOptions {
  /**
   * A message that has waited this long undelivered, or messages held this long by workers with no
   * delivery or acknowledgement since and none pulling, mean the workers are stuck, dead or too
   * few: unhealthy.
   * @default 60000
   */
  maxWaitingMs?: number;
  /** The clock, for ages. @default () => Date.now() */
  now?: () => number;
  /** How long JetStream may take to answer; past it the check rejects with `queue_unavailable`. @default 5000 */
  timeoutMs?: number;
}

/** What {@link natsHealth} found. */
export interface NatsHealth extends QueueHealth {
  /** True when a worker pulls from the consumer (or is busy with its messages) and nothing waits `maxWaitingMs`. */
  ok: boolean;
  /** The stream. */
  queue: string;
  /** The durable consumer. */
  consumer: string;
  /**
   * Pull requests open on the consumer (JetStream's `num_waiting`), what JetStream shows of the
   * workers pulling: 0 when none is; each running `createWorker` with a free slot keeps one or two
   * open (so this counts pulls, not processes), a worker busy with `concurrency` deliveries none.
   */
  workers: number;
  /** Messages not yet delivered to a worker (`num_pending`). */
  waiting: number;
  /** Messages delivered and not yet acknowledged: running, or held by a worker that died (`num_ack_pending`). */
  active: number;
  /** Dead letters kept in the stream (`${queue}.dead-letters`). */
  deadLetters: number;
  /** How long the oldest undelivered message has waited, in ms. */
  oldestWaitingMs?: number | undefined;
  /** How long ago a worker last took or acknowledged a message, in ms; absent if never. */
  lastActiveMs?: number | undefined;
  /** Why it is not ok, in words that say what to do; absent when ok. */
  problem?: string | undefined;
}

/** How long after a delivery or acknowledgement a worker with no pull request open counts as pulling. */
const BETWEEN_PULLS_MS = 1000;

const notFound = (error: unknown) => /not found/i.test((error as Error | undefined)?.message ?? "");
/**
 * A `last_active` in ms, or undefined for never. The server sends an RFC 3339 time (the client's
 * types say nanoseconds: both are read), absent or year 1 when nothing happened yet.
 */
const timeOf = (at: unknown) => {
  const ms = typeof at === "string" ? Date.parse(at) : typeof at === "number" ? at / 1_000_000 : Number.NaN;
  return Number.isNaN(ms) || ms <= 0 ? undefined : ms;
};

/** Rejects with a plain error once `ms` passed: what bounds a request to a server that went away. */
function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`JetStream did not answer within timeoutMs (${ms} ms)`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/**
 * Checks that the receiver's JetStream deliveries are consumed, from what JetStream reports of the
 * workers' durable pull consumer: it exists; a worker is pulling from it (`num_waiting`: each
 * `createWorker` with a free slot keeps a pull request open, and the server drops it when the
 * worker's connection goes) or is busy with its messages; no message has waited `maxWaitingMs`
 * undelivered; and messages held with no worker pulling have seen a delivery or acknowledgement
 * within `maxWaitingMs`. Workers started on another stream, consumer or server, or none at all,
 * leave a receiver answering 202 to deliveries nobody handles; this is what a readiness probe or
 * a deploy check calls to find out. Never throws for an unhealthy queue: the result says why
 * (`problem`); a server that does not answer within `timeoutMs` rejects with `queue_unavailable`.
 *
 * @example
 * app.get("/healthz", async (_req, res) => {
 *   const health = await natsHealth(queue); // the natsQueue the receiver hands off to
 *   res.status(health.ok ? 200 : 503).json(health);
 * });
 */
export async function natsHealth(
  queue: NatsHealthQueue,
  options: NatsHealthOptions = {},
): Promise<NatsHealth> {
  checkOption.object("natsHealth queue", queue, true);
  checkOption.object("natsHealth", options);
  if (typeof (queue.connection as { request?: unknown } | undefined)?.request !== "function") {
    throw new WebhookError(
      "invalid_option",
      "hookgate: natsHealth needs the receiver's natsQueue, or { connection, name, consumer } with a NATS connection",
    );
  }
  const name = checkOption.string("natsHealth queue name", queue.name, DEFAULT_STREAM_NAME);
  const consumer = checkOption.string("natsHealth queue consumer", queue.consumer, DEFAULT_CONSUMER_NAME);
  const maxWaitingMs = checkOption.whole("natsHealth option maxWaitingMs", options.maxWaitingMs, 60_000, 0);
  const timeoutMs = checkOption.whole("natsHealth option timeoutMs", options.timeoutMs, 5000);
  const now = options.now ?? Date.now;
  const where = `consumer "${consumer}" of JetStream stream "${name}"`;
  const health: NatsHealth = {
    ok: true,
    queue: name,
    consumer,
    workers: 0,
    waiting: 0,
    active: 0,
    deadLetters: 0,
  };

  let info: ConsumerInfo | undefined;
  let oldest: number | undefined;
  try {
    await within(
      timeoutMs,
      (async () => {
        const jsm = await jetstreamManager(queue.connection, { timeout: timeoutMs, checkAPI: false });
        info = await jsm.consumers.info(name, consumer).catch((error: unknown) => {
          if (notFound(error)) return undefined;
          throw error;
        });
        if (!info) return;
        const deadLetters = deadLetterSubjectOf(name);
        const stream = await jsm.streams.info(name, { subjects_filter: deadLetters });
        health.deadLetters = stream.state.subjects?.[deadLetters] ?? 0;
        if (info.num_pending > 0) {
          // The first message on the deliveries subject past the last one delivered.
          // (STREAM.MSG.GET takes `next_by_subj`; the client's types list only its other forms.)
          const next = await jsm.streams.getMessage(name, {
            next_by_subj: deliveriesSubjectOf(name),
            seq: info.delivered.stream_seq + 1,
          } as unknown as { seq: number });
          oldest = next?.time.getTime();
        }
      })(),
    );
  } catch (cause) {
    throw new WebhookError(
      "queue_unavailable",
      `hookgate: cannot read ${where}: ${(cause as Error).message}`,
      {
        cause,
      },
    );
  }
  if (!info) {
    health.problem = `hookgate: ${where} does not exist; deliveries are refused (503) or never consumed. Create both at start-up with await natsQueue({ connection, name: "${name}", consumer: "${consumer}" }).setup(), with the names the workers use.`;
    health.ok = false;
    return health;
  }
  health.workers = info.num_waiting;
  health.waiting = info.num_pending;
  health.active = info.num_ack_pending;
  health.oldestWaitingMs = oldest === undefined ? undefined : Math.max(0, now() - oldest);
  const lastActive = Math.max(
    timeOf(info.delivered.last_active) ?? 0,
    timeOf(info.ack_floor.last_active) ?? 0,
  );
  health.lastActiveMs = lastActive ? Math.max(0, now() - lastActive) : undefined;
  // A worker that has just taken or acknowledged a message may be between two pull requests.
  const justActive = health.lastActiveMs !== undefined && health.lastActiveMs < BETWEEN_PULLS_MS;
  if (health.workers === 0 && health.active === 0 && !justActive) {
    health.problem = `hookgate: no worker pulls from ${where}; deliveries are accepted (202) and not handled. Start createWorker(receiver, { connection, name: "${name}", consumer: "${consumer}" }) on the receiver's NATS server, or check the names the workers use.`;
  } else if (health.workers === 0 && (health.lastActiveMs ?? Number.POSITIVE_INFINITY) >= maxWaitingMs) {
    health.problem = `hookgate: ${health.active} message(s) of ${where} are held with no worker pulling and no delivery or acknowledgement for more than maxWaitingMs ${maxWaitingMs} ms: its workers died or their handlers hang`;
  } else if (health.oldestWaitingMs !== undefined && health.oldestWaitingMs >= maxWaitingMs) {
    health.problem = `hookgate: a message has waited ${Math.round(health.oldestWaitingMs / 1000)} s undelivered on ${where} (more than maxWaitingMs ${maxWaitingMs} ms): its workers are stuck or too few`;
  }
  health.ok = health.problem === undefined;
  return health;
}
