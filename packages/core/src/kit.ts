/**
 * `@hookgate/core/kit`: what authors of adapters, stores, journals and queues need beyond the main
 * entry — the Node bridge, option checks, the one Retry-After and failure-classification policy,
 * the queued-delivery codec and the journal helpers. Applications import from `@hookgate/core`.
 *
 * @example
 * import { handleNodeRequest, writeNodeResponse } from "@hookgate/core/kit";
 * export const webhookMiddleware = (receiver) => async (req, res) =>
 *   writeNodeResponse(res, await handleNodeRequest(receiver, req));
 */
export type { DispatchFailureAction } from "./classify-dispatch-failure.js";
export { classifyDispatchFailure } from "./classify-dispatch-failure.js";
export { checkOption } from "./internal/check-option.js";
export type { BodySource } from "./internal/read-body.js";
export { readBody } from "./internal/read-body.js";
export type { JournalPosition } from "./journal/cursor.js";
export { decodeJournalCursor, encodeJournalCursor, journalPageOf } from "./journal/cursor.js";
export {
  appendJournalAttempt,
  journalAttemptJson,
  journalAttemptOf,
  journalHistoryOf,
} from "./journal/history.js";
export type { ResolvedJournalOptions } from "./journal/options.js";
export { journalPageSize, resolveJournalOptions } from "./journal/options.js";
export type { SqlJournalEntryRow, SqlJournalQuery, SqlJournalRow } from "./journal/sql-rows.js";
export {
  SQL_JOURNAL_SUMMARY,
  sqlJournalEntryOf,
  sqlJournalStats,
  sqlJournalSummaryOf,
  sqlJournalWhere,
} from "./journal/sql-rows.js";
export { countJournalMinute, emptyJournalStats, journalPercentile } from "./journal/stats.js";
export { JOURNAL_HISTORY_LIMIT } from "./journal.js";
export type { NodeHandleOptions, NodeRequestLike, NodeResponseLike } from "./node-handler.js";
export {
  handleNodeRequest,
  nodeHeaderRecord,
  nodeRequestUrl,
  unreadNodeBody,
  writeNodeResponse,
} from "./node-handler.js";
export type { RetryPolicy } from "./queue/retry-policy.js";
export { exponentialBackoff, nextAttempt } from "./queue/retry-policy.js";
export type { InProcessJob, QueueDispatch, QueueDispatchOptions, QueueHealth, QueueHooks } from "./queue.js";
export {
  decodeQueuedDelivery,
  encodeQueuedDelivery,
  fromQueuedDelivery,
  isInProcessJob,
  toQueuedDelivery,
} from "./queue.js";
export { errorAnswer } from "./receiver/answers.js";
export { retryAfterSeconds, UNAVAILABLE_RETRY_AFTER_SECONDS } from "./retry-after.js";
