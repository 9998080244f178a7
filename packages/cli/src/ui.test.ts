import { describe, expect, it } from "vitest";
import { ui } from "./commands/ui.js";
import { captureIO } from "./internal/test-io.js";
import { runCli } from "./run-cli.js";

describe("hookgate ui", () => {
  it("listens on loopback with a random token that the printed URL carries; 401 without it", async () => {
    const { io, out } = captureIO();
    const running = await ui({ journal: "memory", port: 0 }, io);
    try {
      const url = new URL(running.url);
      expect(url.hostname).toBe("127.0.0.1");
      const token = url.searchParams.get("token")!;
      expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(out()).toContain(`hookgate ui on ${running.url}`);
      expect(out()).toContain("read-only");
      const opened = await fetch(running.url, { redirect: "manual" });
      expect(opened.status).toBe(303);
      expect(opened.headers.get("set-cookie")).toMatch(/HttpOnly; SameSite=Strict/);
      const bare = `${url.origin}/`;
      expect((await fetch(bare)).status).toBe(401);
      expect((await fetch(bare, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      await running.close();
    }
    const again = captureIO();
    const other = await ui({ journal: "memory", port: 0 }, again.io);
    await other.close();
    expect(new URL(other.url).searchParams.get("token")).not.toBe(
      new URL(running.url).searchParams.get("token"),
    );
  });

  it("takes --token or HOOKGATE_UI_TOKEN, and refuses a short one", async () => {
    const { io } = captureIO(undefined, { env: { HOOKGATE_UI_TOKEN: "from-the-environment" } });
    const running = await ui({ journal: "memory", port: 0 }, io);
    await running.close();
    expect(running.url).toMatch(/\?token=from-the-environment$/);
    const short = captureIO();
    expect(await runCli(["ui", "--journal", "memory", "--token", "short"], short.io)).toBe(2);
    expect(short.err()).toMatch(/--token must be at least 8 characters/);
    const none = captureIO();
    expect(await runCli(["ui", "--port", "0"], none.io)).toBe(2);
    expect(none.err()).toMatch(/--journal is required/);
  });
});
