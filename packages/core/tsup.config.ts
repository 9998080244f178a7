import { preset } from "../../tsup.preset";

// Two entries: the application API, and `@hookgate/core/kit` for adapter, store, journal and queue authors.
export default preset({ entry: ["src/index.ts", "src/kit.ts"] });
