/**
 * The load generator, run as its own process: `load.ts <port> <seconds> <connections> <bytes> [provider]`.
 * autocannon posts one freshly signed delivery per request (a new id each time) to
 * 127.0.0.1:<port>/webhooks and prints its summary as JSON on stdout.
 */
import autocannon from "autocannon";
import { type Provider, payload, signer } from "./deliveries.js";

const [port, seconds, connections, bytes] = process.argv.slice(2, 6).map(Number) as [
  number,
  number,
  number,
  number,
];
const provider = (process.argv[6] ?? "standard-webhooks") as Provider;
const body = payload(bytes, provider);
const sign = signer(body, provider);

const result = await autocannon({
  url: `http://127.0.0.1:${port}/webhooks`,
  connections,
  duration: seconds,
  requests: [{ method: "POST", body, setupRequest: (request) => ({ ...request, ...sign() }) }],
});
process.stdout.write(
  `${JSON.stringify({
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result["2xx"],
    non2xx: result.non2xx,
    // Each status's count: a 200 from a deduplicating server that queues means a duplicate.
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([status, stats]) => [status, stats.count]),
    ),
    errors: result.errors + result.timeouts,
  })}\n`,
);
