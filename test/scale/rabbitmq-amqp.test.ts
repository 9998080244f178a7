// Exactly once across processes on RabbitMQ: 4 receivers and 2 workers share a Redis store and one
// durable queue; a worker is SIGKILLed mid-job and RabbitMQ restarted (stop_app / start_app).
import { AMQP_URL, describeRabbitmq } from "../support/services.js";
import { exactlyOnceWithFaults } from "./broker-support/exactly-once.js";

describeRabbitmq("exactly once across processes: Redis store + RabbitMQ", () => {
  exactlyOnceWithFaults("amqp", AMQP_URL);
});
