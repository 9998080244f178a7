// Starts workerd through miniflare (which ships the workerd binary as an npm dependency) for the
// runtime suite and the @hookgate/cloudflare tests.
import { Miniflare, type MiniflareOptions } from "miniflare";
import { describeNeeding } from "../support/services.js";

/** The newest date this workerd knows: the runtime suite runs on today's Workers behaviour. */
export const COMPATIBILITY_DATE = "2025-07-18";

/** Whether workerd starts on this machine (its binary ships in the `workerd` npm package). */
async function workerdStarts(): Promise<boolean> {
  try {
    const mf = new Miniflare({
      modules: true,
      script: "export default { fetch() { return new Response('up') } }",
      compatibilityDate: COMPATIBILITY_DATE,
    });
    try {
      return (await (await mf.dispatchFetch("http://localhost/")).text()) === "up";
    } finally {
      await mf.dispose();
    }
  } catch (error) {
    console.warn("workerd did not start:", error);
    return false;
  }
}

/** `describe` for tests that run in workerd: under HOOKGATE_REQUIRE_SERVICES=1 one that cannot start fails. */
export const describeWorkerd = describeNeeding("workerd (miniflare)", await workerdStarts());

/** A Miniflare instance for `script`, with the date and flags given; dispose it after. */
export function startWorkerd(options: MiniflareOptions): Miniflare {
  return new Miniflare({ compatibilityDate: COMPATIBILITY_DATE, ...options } as MiniflareOptions);
}
