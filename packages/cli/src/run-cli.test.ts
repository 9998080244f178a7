import { schemes, verify } from "@hookgate/core";
import { describe, expect, it } from "vitest";
import packageJson from "../package.json" with { type: "json" };
import { captureIO } from "./internal/test-io.js";
import { runCli } from "./run-cli.js";

describe("hookgate --help", () => {
  it("lists the commands", async () => {
    const { io, out } = captureIO();
    expect(await runCli(["--help"], io)).toBe(0);
    for (const command of ["sign", "send <url>", "demo", "listen", "deliveries", "replay [...ids]"]) {
      expect(out()).toContain(command);
    }
    expect(out()).toContain("$ hookgate sign --help");
  });

  it("with no command, prints the help", async () => {
    const { io, out } = captureIO();
    expect(await runCli([], io)).toBe(0);
    expect(out()).toContain("Usage:");
  });

  it.each([
    [
      "sign",
      ["--scheme <name>", "--secret <secret>", "--timestamp <time>", "--json", "standard-webhooks, stripe"],
    ],
    [
      "send",
      [
        "--fixture <provider.event>",
        "--repeat <n>",
        "--concurrency <n>",
        "stripe.invoicePaid",
        "github.pullRequestOpened",
      ],
    ],
    ["demo", ["--burst <n>", "--concurrency <n>"]],
    ["deliveries", ["--journal <journal>", "--status <status>", "--since <time>", "--json", "sqlite:<path>"]],
    ["replay", ["--receiver <module>", "--to <url>", "--dry-run", "--no-verify"]],
    ["listen", ["--port <port>", "--forward-to <url>", "--journal <journal>"]],
  ])("%s --help shows its options", async (command, expected) => {
    const { io, out } = captureIO();
    expect(await runCli([command, "--help"], io)).toBe(0);
    for (const text of expected) expect(out()).toContain(text);
  });

  it("--version prints the package version", async () => {
    const { io, out } = captureIO();
    expect(await runCli(["--version"], io)).toBe(0);
    expect(out()).toContain(`hookgate/${packageJson.version}`);
  });
});

describe("bad usage", () => {
  it.each([
    [
      ["sign", "--scheme", "stripe", "--secret", "s", "--bogus"],
      /Unknown option `--bogus`; run hookgate sign --help/,
    ],
    [["frobnicate"], /unknown command "frobnicate"/],
    [["send"], /missing required args for command `send <url>`/],
    [["sign", "--scheme"], /option `--scheme <name>` value is missing/],
    [["demo", "--burst", "0"], /--burst must be a whole number ≥ 1/],
  ])("%j exits 2 with a clear message", async (args, message) => {
    const { io, err, out } = captureIO("{}");
    expect(await runCli(args, io)).toBe(2);
    expect(err()).toMatch(message);
    expect(err()).toMatch(/^hookgate: /);
    expect(out()).toBe("");
  });
});

describe("flag values reach commands exactly as typed", () => {
  it("a numeric-looking secret keeps its leading zero", async () => {
    const body = JSON.stringify({ zen: "Keep it logically awesome." });
    const { io, out } = captureIO(body);
    expect(
      await runCli(["sign", "--scheme", "github", "--secret", "0123", "--type", "ping", "--id=007"], io),
    ).toBe(0);
    const headers = Object.fromEntries(
      out()
        .trim()
        .split("\n")
        .map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 2)]),
    );
    await expect(
      verify(schemes.github({ secret: "0123" }), { headers, rawBody: body }),
    ).resolves.toMatchObject({
      id: "007",
      type: "ping",
    });
  });
});
