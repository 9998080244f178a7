/** What the soaks' processes exchange and report (bench/soak.ts, bench/soak-redis-bullmq.ts). */

/** The BullMQ queues of the Redis + BullMQ soak, one per receiver. */
export const soakQueueNames = { stripe: "soak-stripe", github: "soak-github" } as const;

/** One request the sender can send (and replay). */
export interface Delivery {
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array;
  /** scheme:id of a valid delivery; empty for hostile ones. */
  key: string;
}

export interface Outcome {
  /** 0: no answer (connection error). */
  status: number;
}

/** The sender's tallies, printed as JSON on its stdout. */
export interface SenderReport {
  seconds: number;
  requests: number;
  /** Requests that got no HTTP answer. */
  errors: number;
  /** Oversized bodies whose connection was reset before the 413 was read. */
  resets: number;
  byStatus: Record<string, number>;
  byKind: Record<string, Record<string, number>>;
  /** Distinct valid deliveries whose first send was acknowledged (2xx). */
  uniqueValid: number;
  fiveHundreds: number;
}

/** What the app process measured. */
export interface ServerReport {
  handlerRuns: number;
  deliveriesRun: number;
  runTwice: number;
  /** Handler runs under an id that no valid delivery carried (a replay under a fresh id that ran). */
  unknownIds: number;
  storeSize: number | string;
  memory: {
    start: { rss: number; heapUsed: number };
    end: { rss: number; heapUsed: number };
    peak: { rss: number; heapUsed: number };
  };
  series: { second: number; rss: number; heapUsed: number; storeSize: number | string }[];
}

export function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

/** The report lines both soaks print: answers by status, and a table of answers by kind of traffic. */
export function answerLines(
  byStatus: Readonly<Record<string, number>>,
  byKind: Readonly<Record<string, Readonly<Record<string, number>>>>,
  countHeading: string,
): string[] {
  const list = (counts: Readonly<Record<string, number>>) =>
    Object.entries(counts)
      .map(([status, n]) => `${status}: ${n}`)
      .join(", ");
  return [
    `answers by status: ${list(byStatus)}`,
    "",
    `| traffic | ${countHeading} | answers |`,
    "|---|---:|---|",
    ...Object.entries(byKind).map(
      ([kind, statuses]) =>
        `| ${kind} | ${Object.values(statuses).reduce((a, b) => a + b, 0)} | ${list(statuses)} |`,
    ),
  ];
}
