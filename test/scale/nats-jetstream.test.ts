// Exactly once across processes on NATS JetStream: 4 receivers and 2 workers share a Redis store
// and one stream; a worker is SIGKILLed mid-job and nats-server killed and started again.
import { describeNats, NATS_URL } from "../support/services.js";
import { exactlyOnceWithFaults } from "./broker-support/exactly-once.js";

describeNats("exactly once across processes: Redis store + NATS JetStream", () => {
  exactlyOnceWithFaults("nats", NATS_URL);
});
