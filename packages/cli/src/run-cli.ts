import { format } from "node:util";
import cac from "cac";
import packageJson from "../package.json" with { type: "json" };
import { deliveries } from "./commands/deliveries.js";
import { demo } from "./commands/demo.js";
import { listen } from "./commands/listen.js";
import { replay } from "./commands/replay.js";
import { send } from "./commands/send.js";
import { sign } from "./commands/sign.js";
import { ui } from "./commands/ui.js";
import { fixtureNames, SCHEME_NAMES } from "./internal/inputs.js";
import { CliError, type CliIO, ExitCode, processIO } from "./io.js";

// mri (under cac) turns "0123" into 123: a secret or an id must reach the command exactly as typed.
const STRING_FLAGS = [
  "scheme",
  "secret",
  "id",
  "tenant",
  "timestamp",
  "type",
  "url",
  "data",
  "fixture",
  "tamper",
  "journal",
  "status",
  "since",
  "until",
  "to",
  "receiver",
  "host",
  "certificate-url",
  "topic-arn",
  "webhook-id",
  "header",
  "prefix",
  "timestamp-header",
  "token",
];
const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, ch: string) => ch.toUpperCase());

/** The flags that configure a scheme beyond --secret, on every command that builds a scheme. */
function schemeOptions(command: ReturnType<ReturnType<typeof cac>["command"]>) {
  return command
    .option("--topic-arn <arn>", "Schemes configured by their topics: the topic the receiver accepts")
    .option(
      "--certificate-url <url>",
      "Schemes that sign with a certificate: where the receiver fetches the certificate of --secret's key (on the provider's certificate host)",
    )
    .option(
      "--webhook-id <id>",
      "Schemes that sign their webhook's ID: the ID the receiver is configured with",
    )
    .option("--header <name>", "hmac: the signature header")
    .option("--prefix <prefix>", "hmac: a prefix before the signature (sha256=)")
    .option("--timestamp-header <name>", "hmac: a header carrying the signed timestamp");
}
const SECRET_HELP =
  "Signing secret (Ed25519 schemes: the private key, hex; schemes that sign with a certificate: a PEM file of its RSA private key)";
const JOURNAL_HELP = "postgres://user@host/db[?table=…], sqlite:<path> or memory";

function rawValue(args: readonly string[], flag: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") break;
    if (arg === `--${flag}` && i + 1 < args.length) value = args[++i];
    else if (arg.startsWith(`--${flag}=`)) value = arg.slice(flag.length + 3);
  }
  return value;
}

function buildCli() {
  const cli = cac("hookgate");
  const schemeList = SCHEME_NAMES.join(", ");
  const signCommand = cli
    .command(
      "sign",
      "Print the headers that sign a payload (stdin or --data), as the provider sends them (and the signed body, where the signature travels in it)",
    )
    .option("--scheme <name>", `Signature scheme: ${schemeList}`)
    .option("--secret <secret>", SECRET_HELP)
    .option("--id <id>", "Delivery id, for schemes that send it in a header (default: random)")
    .option("--timestamp <time>", 'Signing time: unix seconds, ISO 8601, or "10m ago" (default: now)')
    .option(
      "--type <type>",
      "Event type, for schemes that send it in a header (github: push, shopify: orders/create)",
    )
    .option("--url <url>", "The URL the request will be sent to (twilio signs it)")
    .option("--data <file>", "Read the payload from a file instead of stdin (- for stdin)")
    .option("--json", "Print the headers as JSON ({ headers, body } where the body carries the signature)")
    .example("  $ hookgate sign --scheme stripe --secret whsec_… < event.json")
    .example(
      '  $ hookgate sign --scheme github --secret s3cret --type push --timestamp "10m ago" < push.json',
    )
    .example("  $ hookgate sign --scheme mailgun --secret key-… < event.json")
    .action(() => undefined);
  schemeOptions(signCommand);
  const sendCommand = cli
    .command("send <url>", "Sign and POST deliveries to a receiver, and print each answer")
    .option("--scheme <name>", `Signature scheme: ${schemeList} (default: the fixture's)`)
    .option("--secret <secret>", SECRET_HELP)
    .option("--fixture <provider.event>", "A built-in payload, fresh ids each request (see the list below)")
    .option("--data <file>", "A payload file, sent byte for byte (- for stdin)")
    .option("--repeat <n>", "Requests to send (default: 1)")
    .option("--concurrency <n>", "Requests in flight at once (default: 10)")
    .option(
      "--id <id>",
      "Delivery id: every request with it, in this run or a later one, is the same signed delivery (the receiver answers duplicate after the first)",
    )
    .option("--timestamp <time>", 'Signing time: unix seconds, ISO 8601, or "10m ago" (default: now)')
    .option("--type <type>", "Event type, for schemes that send it in a header")
    .option("--tamper <what>", "Spoil each request after signing: body or signature")
    .option("--timeout <ms>", "Per-request timeout in ms (default: 10000)")
    .option("--verbose", "With --repeat, print one line per request")
    .example("  $ hookgate send http://localhost:3000/webhooks --secret whsec_… --fixture stripe.invoicePaid")
    .example(
      "  $ hookgate send http://localhost:3000/webhooks --scheme github --secret s3cret --data push.json --type push --repeat 500 --concurrency 50",
    )
    .example("  $ hookgate send http://localhost:3000/webhooks --secret key-… --fixture mailgun.delivered")
    .example(
      `\nFixtures (--fixture):\n${fixtureNames()
        .map((name) => `  ${name}`)
        .join("\n")}`,
    )
    .action(() => undefined);
  schemeOptions(sendCommand);
  cli
    .command(
      "demo",
      "Run a local receiver and a scripted set of deliveries; print what was accepted, rejected and why",
    )
    .option("--burst <n>", "Deliveries in the burst (default: 1000)")
    .option("--concurrency <n>", "Burst requests in flight at once (default: 50)")
    .example("  $ hookgate demo")
    .action(() => undefined);
  cli
    .command(
      "deliveries",
      "List journaled deliveries, newest first: time, id (tenant, key), type, status, attempts, duration",
    )
    .option("--journal <journal>", `The journal: ${JOURNAL_HELP}`)
    .option("--status <status>", "received, queued, handled, failed or dead (comma-separated for several)")
    .option("--type <type>", "An exact event type")
    .option("--id <id>", "An exact delivery id: every row with it, whatever its tenant")
    .option("--tenant <tenant>", "An exact tenant")
    .option("--since <time>", "Received since: a duration back from now (30m, 1h, 7d) or an ISO date")
    .option("--until <time>", "Received before: a duration back from now or an ISO date")
    .option("--limit <n>", "Most deliveries shown (default: 50)")
    .option("--json", "Print JSON instead of a table")
    .example("  $ hookgate deliveries --journal sqlite:./hookgate.db --status failed --since 1h")
    .example("  $ hookgate deliveries --journal postgres://postgres@localhost/app --type invoice.paid --json")
    .action(() => undefined);
  const replayCommand = cli
    .command(
      "replay [...ids]",
      "Run journaled deliveries again: through your receiver's handlers (--receiver), or re-signed and posted to a local app (--to)",
    )
    .option("--journal <journal>", `The journal: ${JOURNAL_HELP}`)
    .option("--status <status>", "Replay every delivery with this status (comma-separated for several)")
    .option("--type <type>", "… of this event type")
    .option("--since <time>", "… received since (30m, 1h, 7d, or an ISO date)")
    .option("--until <time>", "… received before")
    .option("--limit <n>", "Most deliveries a filter replays (default: 100)")
    .option(
      "--receiver <module>",
      "A module exporting your receiver (export default receiver): handlers run here, stored bytes verified as of their receipt, attempts recorded",
    )
    .option("--to <url>", "Post re-signed copies to this URL instead (a local app with a test secret)")
    .option("--secret <secret>", "With --to: the test secret to sign with")
    .option(
      "--scheme <name>",
      `With --to: sign with this scheme (default: each delivery's own): ${schemeList}`,
    )
    .option(
      "--dry-run",
      "Show what would be replayed (and, with --receiver, whether it verifies); run nothing",
    )
    .option(
      "--no-verify",
      "With --receiver: trust the stored bytes without verifying them (a rotated-out secret)",
    )
    .option("--timeout <ms>", "With --to: per-request timeout in ms (default: 10000)")
    .example("  $ hookgate replay evt_1NqX… --journal sqlite:./hookgate.db --receiver ./dist/receiver.js")
    .example(
      "  $ hookgate replay --journal sqlite:./hookgate.db --status failed --since 1h --to http://localhost:4000/webhooks --secret whsec_test",
    )
    .action(() => undefined);
  schemeOptions(replayCommand);
  const listenCommand = cli
    .command(
      "listen",
      "Run a local receiver: verify, journal and print each delivery live, and forward it to your app",
    )
    .option("--port <port>", "Port to listen on (default: 3000)")
    .option("--host <host>", "Address to listen on (default: 127.0.0.1)")
    .option("--scheme <name>", `Signature scheme: ${schemeList}`)
    .option(
      "--secret <secret>",
      "The secret deliveries are signed with (Ed25519 schemes: the private key, hex)",
    )
    .option("--journal <journal>", `Where deliveries are journaled: ${JOURNAL_HELP} (default: memory)`)
    .option(
      "--forward-to <url>",
      "Forward each verified delivery, bytes and headers as received, to your app; its answer decides handled or failed",
    )
    .option(
      "--forward-duplicates",
      "Forward duplicates too (a delivery seen before is answered 200 duplicate here and, by default, not forwarded): to test your app's own idempotency",
    )
    .option("--timeout <ms>", "Per-forward timeout in ms (default: 10000)")
    .option("--max-body-bytes <bytes>", "Largest request body accepted, 413 past it (default: 1048576)")
    .option("--body-timeout-ms <ms>", "Longest wait for a request body, 408 past it (default: 5000)")
    .example(
      "  $ hookgate listen --port 3000 --scheme stripe --secret whsec_… --journal sqlite:./dev.db --forward-to http://localhost:4000/webhooks",
    )
    .action(() => undefined);
  schemeOptions(listenCommand);
  cli
    .command(
      "ui",
      "Open the deliveries dashboard over a journal: live list, details, charts, refusals, and replay (with --receiver)",
    )
    .option("--journal <journal>", `The journal: ${JOURNAL_HELP}`)
    .option(
      "--receiver <module>",
      "A module exporting your receiver (export default receiver): enables replay from the dashboard",
    )
    .option("--port <port>", "Port to listen on (default: 3001)")
    .option("--host <host>", "Address to listen on (default: 127.0.0.1, this machine only)")
    .option(
      "--token <token>",
      "The access token (default: $HOOKGATE_UI_TOKEN, else a random one); the printed URL carries it",
    )
    .example("  $ hookgate ui --journal sqlite:./hookgate.db --receiver ./dist/receiver.js")
    .action(() => undefined);
  cli.help();
  cli.version(packageJson.version);
  return cli;
}

/**
 * Runs the `hookgate` command line with `args` (without `node` and the script) and returns the
 * exit code: 0 success, 1 a delivery or the demo went wrong, 2 bad usage or input.
 */
export async function runCli(args: readonly string[], io: CliIO = processIO()): Promise<number> {
  const cli = buildCli();
  // cac prints help and version with console.log; send them to this run's stdout instead.
  const log = console.log;
  console.log = (...values: unknown[]) => io.stdout.write(`${format(...values)}\n`);
  let parsed: ReturnType<typeof cli.parse>;
  try {
    // mri reads a lone "-" (stdin, as in `--data -`) as no value; joined to its flag, it is kept.
    const normalized: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i]!.startsWith("--") && args[i + 1] === "-") normalized.push(`${args[i++]}=-`);
      else normalized.push(args[i]!);
    }
    parsed = cli.parse(["node", "hookgate", ...normalized], { run: false });
  } catch (error) {
    io.stderr.write(`hookgate: ${(error as Error).message}\n`);
    return ExitCode.Usage;
  } finally {
    console.log = log;
  }
  if (parsed.options.help || (parsed.options.version && !cli.matchedCommandName)) return ExitCode.Ok;

  const command = cli.matchedCommand;
  if (!command) {
    if (parsed.args.length > 0) {
      io.stderr.write(`hookgate: unknown command "${parsed.args[0]}"; run hookgate --help\n`);
      return ExitCode.Usage;
    }
    console.log = (...values: unknown[]) => io.stdout.write(`${format(...values)}\n`);
    try {
      cli.outputHelp();
    } finally {
      console.log = log;
    }
    return ExitCode.Ok;
  }

  const name = command.name;
  try {
    command.checkUnknownOptions();
    command.checkOptionValue();
    command.checkRequiredArgs();
  } catch (error) {
    io.stderr.write(`hookgate: ${(error as Error).message}; run hookgate ${name} --help\n`);
    return ExitCode.Usage;
  }
  const options = { ...parsed.options } as Record<string, unknown>;
  for (const flag of STRING_FLAGS) {
    const raw = rawValue(args, flag);
    if (raw !== undefined) options[camel(flag)] = raw;
  }

  try {
    if (name === "sign") return await sign(options, io);
    if (name === "send") return (await send(parsed.args[0], options, io)).exitCode;
    if (name === "deliveries") return await deliveries(options, io);
    if (name === "replay") return await replay(parsed.args.map(String), options, io);
    if (name === "listen" || name === "ui") {
      const running = name === "ui" ? await ui(options, io) : await listen(options, io);
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      await running.close();
      return ExitCode.Ok;
    }
    const { burst, concurrency } = options;
    const positive = (flag: string, value: unknown) => {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new CliError(`--${flag} must be a whole number ≥ 1`);
      return n;
    };
    return (
      await demo(
        {
          ...(burst !== undefined ? { burst: positive("burst", burst) } : {}),
          ...(concurrency !== undefined ? { concurrency: positive("concurrency", concurrency) } : {}),
        },
        io,
      )
    ).exitCode;
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`${error.message}\n`);
      return error.exitCode;
    }
    io.stderr.write(`hookgate: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return ExitCode.Failed;
  }
}
