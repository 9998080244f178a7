import { type JournalFilter, type JournalStatus, journalStatuses } from "@hookgate/core";

/** The list's filters as the page's query string (or a replay form) gives them. */
export interface ListQuery {
  status?: JournalStatus | undefined;
  type?: string | undefined;
  scheme?: string | undefined;
  /** `15m`, `1h`, `6h`, `24h`, `7d`, `30d`, or an ISO time. */
  since?: string | undefined;
  cursor?: string | undefined;
  /** The filters alone, to build links from. */
  params: URLSearchParams;
  /** True when any filter is set (a replay of "everything" is never offered). */
  active: boolean;
  filter: JournalFilter;
}

const UNITS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `since` as a time: a duration back from `now` (`1h`) or an ISO time; `undefined` when neither. */
export function sinceOf(value: string | undefined, now: Date): Date | undefined {
  if (!value) return undefined;
  const relative = /^(\d{1,4})([mhd])$/.exec(value);
  if (relative) return new Date(now.getTime() - Number(relative[1]) * UNITS[relative[2] as "m" | "h" | "d"]);
  const at = /^\d{4}-\d{2}-\d{2}/.test(value) ? new Date(value) : undefined;
  return at && !Number.isNaN(at.getTime()) ? at : undefined;
}

/** Reads the filters; values that are not a status or a time are left out, not trusted. */
export function listQueryOf(input: URLSearchParams, now: Date): ListQuery {
  const text = (name: string) => {
    const value = input.get(name)?.trim();
    return value ? value.slice(0, 200) : undefined;
  };
  const rawStatus = text("status");
  const status = journalStatuses.includes(rawStatus as JournalStatus)
    ? (rawStatus as JournalStatus)
    : undefined;
  const type = text("type");
  const scheme = text("scheme");
  const sinceText = text("since");
  const since = sinceOf(sinceText, now);
  const cursor = input.get("cursor") || undefined;
  const params = new URLSearchParams();
  if (status) params.set("status", status);
  if (type) params.set("type", type);
  if (scheme) params.set("scheme", scheme);
  if (since) params.set("since", sinceText!);
  return {
    status,
    type,
    scheme,
    since: since ? sinceText : undefined,
    cursor,
    params,
    active: Boolean(status || type || scheme || since),
    filter: { status, type, scheme, since, ...(cursor ? { cursor } : {}) },
  };
}
