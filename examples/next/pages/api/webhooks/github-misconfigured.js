import { createPagesHandler } from "@hookgate/next";
import { github } from "../../../lib/receivers";

// Deliberately WITHOUT `export const config = { api: { bodyParser: false } }`: shows the
// 500 raw_body_required answer (and the one-time log line) you get when it is forgotten.
export default createPagesHandler(github);
