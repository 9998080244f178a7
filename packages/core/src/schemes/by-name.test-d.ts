import { describe, expectTypeOf, it } from "vitest";
import type { SchemeOptions } from "./by-name.js";
import type { GithubSchemeOptions } from "./github.js";
import type { HmacSchemeOptions } from "./hmac.js";

describe("SchemeOptions", () => {
  it("is each built-in scheme's options, by its key", () => {
    expectTypeOf<SchemeOptions<"github">>().toEqualTypeOf<GithubSchemeOptions>();
    expectTypeOf<SchemeOptions<"hmac">>().toEqualTypeOf<HmacSchemeOptions>();
  });
});
