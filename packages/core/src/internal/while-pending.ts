const settledPromise = Promise.resolve();

/**
 * Calls `start` if `promise` is still pending `turns` microtasks from now, and the function
 * `start` returned once it settles. Work that is done by then (an in-process store's answer, a
 * handler that does no I/O, a body that arrived with its headers) starts nothing, so the timers
 * that guard slow work cost fast work nothing. Each call uses the runtime's own timers: none is
 * shared between requests (edge runtimes bind a timer to the request that set it).
 */
export function whilePending(promise: PromiseLike<unknown>, start: () => () => void, turns = 1): void {
  let settled = false;
  let stop: (() => void) | undefined;
  const done = () => {
    settled = true;
    stop?.();
  };
  // A resolved promise's then, not queueMicrotask: Node wraps each of those in an AsyncResource.
  const check = () => {
    if (settled) return;
    if (--turns > 0) settledPromise.then(check);
    else stop = start();
  };
  promise.then(done, done);
  settledPromise.then(check);
}
