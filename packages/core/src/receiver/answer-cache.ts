import type { HandleResult } from "./types.js";

/** How many answers a receiver keeps for retries. */
const MAX_ANSWERS = 1000;

/** The answers given to `respond` deliveries, by idempotency key: what a retry of one gets. */
export interface AnswerCache {
  get(key: string): HandleResult | undefined;
  set(key: string, answer: HandleResult): void;
}

/**
 * A bounded in-memory map of answers, oldest dropped first. Keyed by the idempotency key, so it
 * never crosses tenants or receivers; per process, so a retry that reaches another instance gets
 * the scheme's deferred reply instead.
 */
export function createAnswerCache(max = MAX_ANSWERS): AnswerCache {
  const answers = new Map<string, HandleResult>();
  return {
    get: (key) => answers.get(key),
    set(key, answer) {
      answers.delete(key);
      answers.set(key, answer);
      if (answers.size > max) answers.delete(answers.keys().next().value!);
    },
  };
}
