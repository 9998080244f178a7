import type { Scheme } from "@hookgate/core";

/** `X-GitHub-Event`-style display of a header name. */
export function displayHeader(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, ch: string) => dash + ch.toUpperCase());
}

/**
 * The header a scheme's senders carry the event type in, when the type is nowhere else (GitHub,
 * Shopify): signing a raw payload for it needs the type given.
 */
export function headerTypeNeeded(scheme: Scheme): string | undefined {
  const { type } = scheme.facts;
  return type.header && !type.payload && !type.computed ? displayHeader(type.header) : undefined;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [head, ...rest] = path.split(".");
  if (rest.length === 0) return { ...target, [head!]: value };
  const inner = target[head!];
  return {
    ...target,
    [head!]: setPath(
      typeof inner === "object" && inner !== null ? (inner as Record<string, unknown>) : {},
      rest.join("."),
      value,
    ),
  };
}

function hasPath(target: unknown, path: string): boolean {
  let current = target;
  for (const key of path.split(".")) {
    if (typeof current !== "object" || current === null || !(key in current)) return false;
    current = (current as Record<string, unknown>)[key];
  }
  return true;
}

/**
 * A payload as the scheme's sender would write it: the delivery id where the sender puts it in
 * the payload (Stripe `id`, Paddle `event_id`, …), and the signing time where the signed timestamp
 * lives in the payload (Linear `webhookTimestamp`).
 */
export function withPayloadFacts(
  scheme: Scheme,
  payload: Record<string, unknown>,
  id: string | undefined,
  timestamp: Date,
): Record<string, unknown> {
  const { facts } = scheme;
  let data = { ...payload };
  const idPaths = facts.id.header === undefined ? facts.id.payload : undefined;
  if (id !== undefined && idPaths?.length) {
    data = setPath(data, idPaths.find((path) => hasPath(data, path)) ?? idPaths[0]!, id);
  }
  const ts = facts.timestamp;
  if (ts && "payload" in ts) {
    data = setPath(
      data,
      ts.payload,
      ts.unit === "ms" ? timestamp.getTime() : Math.floor(timestamp.getTime() / 1000),
    );
  }
  return data;
}

/** Where the signed timestamp sits in the payload, for schemes that sign it there. */
export function payloadTimestampPath(scheme: Scheme): string | undefined {
  const ts = scheme.facts.timestamp;
  return ts && "payload" in ts ? ts.payload : undefined;
}
