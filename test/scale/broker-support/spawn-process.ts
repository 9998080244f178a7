import { childProcesses } from "../support/child-processes.js";

export type { TestProcess } from "../support/child-processes.js";

/** The broker scale tests' receiver and worker processes (`broker-support/*-process.ts`). */
export const { spawnProcess, removeBuild } = childProcesses(new URL(".", import.meta.url), [
  "amqplib",
  "@nats-io/jetstream",
  "@nats-io/transport-node",
  "express",
  "ioredis",
]);
