import { WebhookError } from "../errors.js";

/** Where a `list` page ended: the last entry's receipt time (ms) and key (its identity), newest-first order. */
export interface JournalPosition {
  receivedAt: number;
  key: string;
}

/** An opaque `list` cursor for the position after `position`. */
export function encodeJournalCursor(position: JournalPosition): string {
  const json = JSON.stringify([position.receivedAt, position.key]);
  return btoa(String.fromCharCode(...new TextEncoder().encode(json)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** The position a cursor from {@link encodeJournalCursor} stands for; `invalid_option` for anything else. */
export function decodeJournalCursor(cursor: string): JournalPosition {
  try {
    const binary = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    const parsed: unknown = JSON.parse(
      new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))),
    );
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      Number.isFinite(parsed[0]) &&
      typeof parsed[1] === "string"
    ) {
      return { receivedAt: parsed[0] as number, key: parsed[1] };
    }
  } catch {
    // Reported below, as any other malformed cursor.
  }
  throw new WebhookError("invalid_option", "hookgate: the journal cursor is not one `list` returned");
}

/** True when an entry at `position` comes after the cursor's position, newest first. */
export function afterCursor(entry: JournalPosition, cursor: JournalPosition | undefined): boolean {
  if (!cursor) return true;
  return (
    entry.receivedAt < cursor.receivedAt || (entry.receivedAt === cursor.receivedAt && entry.key < cursor.key)
  );
}

/**
 * One `list` page from up to `limit + 1` matching entries, newest first: the first `limit`, and a
 * cursor after the last of them when more matched. Every journal pages the same way.
 */
export function journalPageOf<T extends { receivedAt: Date; key: string }, S>(
  matches: readonly T[],
  limit: number,
  summaryOf: (entry: T) => S,
): { entries: S[]; cursor: string | undefined } {
  const page = matches.slice(0, limit);
  const last = page[page.length - 1];
  return {
    entries: page.map(summaryOf),
    cursor:
      matches.length > limit && last
        ? encodeJournalCursor({ receivedAt: last.receivedAt.getTime(), key: last.key })
        : undefined,
  };
}
