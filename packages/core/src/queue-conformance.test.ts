import { queueConformance, workerConformance } from "@hookgate/testing";
import { describe, it } from "vitest";
import { memoryQueue } from "./queue/memory-queue.js";
import type { QueuedDelivery } from "./queue.js";

describe("memoryQueue: queueConformance", () => {
  for (const scenario of queueConformance(() => {
    // Jobs are held running (never settled) so the suite can read what the queue holds.
    const held: QueuedDelivery[] = [];
    const resolvers: Array<() => void> = [];
    const queue = memoryQueue({ concurrency: 100 }).attach!((delivery) => {
      held.push(delivery);
      return new Promise<void>((resolve) => resolvers.push(resolve));
    })!;
    return {
      queue,
      jobs: async () => [...held],
      close: async () => {
        for (const resolve of resolvers) resolve();
      },
    };
  }))
    it(scenario.name, scenario.run);
});

describe("memoryQueue: workerConformance", () => {
  for (const scenario of workerConformance(({ attempts, inFlightDelayMs }) => {
    const queue = memoryQueue({
      once: true,
      verify: true,
      retry: { attempts, backoff: 10, inFlightDelayMs },
    });
    return { queue, start: () => {}, close: () => queue.onIdle() };
  }))
    it(scenario.name, scenario.run);
});
