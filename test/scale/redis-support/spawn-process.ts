import { childProcesses } from "../support/child-processes.js";

export type { TestProcess } from "../support/child-processes.js";

/** The Redis scale tests' receiver and worker processes (`redis-support/*-process.ts`). */
export const { spawnProcess, removeBuild } = childProcesses(new URL(".", import.meta.url), [
  "bullmq",
  "express",
  "ioredis",
  "redis",
]);
