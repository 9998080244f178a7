import { createRouteHandler } from "@hookgate/next";
import { stripe } from "../../../../lib/receivers";

// The same handler on the Edge runtime: hookgate verifies with Web Crypto there.
export const runtime = "edge";
export const { POST } = createRouteHandler(stripe);
