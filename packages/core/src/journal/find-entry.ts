import { WebhookError } from "../errors.js";
import type { DeliveryJournal, JournalEntry } from "../journal.js";

/** Most keys an ambiguity refusal lists. */
const LISTED_KEYS = 20;

/**
 * The journal entry `idOrKey` names: the row with that key, else the one row with that sender id.
 * An id several rows share (two tenants' or receivers' deliveries) is refused with
 * `invalid_option`, listing their keys to choose from; `undefined` when nothing matches.
 *
 * @example
 * const entry = await findJournalEntry(journal, "evt_1NqX"); // or a key from `list`
 */
export async function findJournalEntry(
  journal: Pick<DeliveryJournal, "get" | "list">,
  idOrKey: string,
): Promise<JournalEntry | undefined> {
  const byKey = await journal.get(idOrKey);
  if (byKey) return byKey;
  const page = await journal.list({ id: idOrKey, limit: LISTED_KEYS });
  // Exact match again: a journal written before `list({ id })` existed may ignore the filter.
  const rows = page.entries.filter((entry) => entry.id === idOrKey);
  if (rows.length === 0) return undefined;
  if (rows.length > 1) {
    const keys = rows.map((entry) =>
      entry.tenant === undefined ? entry.key : `${entry.key} (tenant ${entry.tenant})`,
    );
    throw new WebhookError(
      "invalid_option",
      `hookgate: ${rows.length}${page.cursor === undefined ? "" : "+"} journal rows have id ${JSON.stringify(idOrKey)} (one per tenant or receiver); name one by its key: ${keys.join(", ")}${page.cursor === undefined ? "" : ", …"}`,
    );
  }
  return journal.get(rows[0]!.key);
}
