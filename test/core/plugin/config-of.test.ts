import { expect } from "chai";
import { container, inject, injectable } from "tsyringe";
import { definePlugin } from "../../../core/plugin/define";
import type { ConfigOf, ConfigSchema } from "../../../core/plugin/api";
import { PLUGIN_CONFIG, configToken } from "../../../core/tokens";
import { validateOptions } from "../../../core/config/validate-options";

const schema = {
  port: { doc: "a port", format: "port", default: 0 },
  timeout: { doc: "a duration", format: "duration", default: 1000, min: 1 },
  names: { doc: "a list", format: "list", default: [] },
  level: { doc: "a level", format: "log-level", default: null, nullable: true },
  mode: { doc: "an enumeration", format: ["fast", "safe"], default: "safe" },
  tls: { enabled: { doc: "a nested bool", format: "bool", default: false } },
} as const satisfies ConfigSchema;
type Options = ConfigOf<typeof schema>;
const OPTIONS = configToken(schema);

// Compile-time checks: each @ts-expect-error line must fail to compile, or the build fails.
const good: Options = { port: 1, timeout: 5, names: ["a"], level: null, mode: "fast", tls: { enabled: true } };
// @ts-expect-error an enumeration is the union of its values
const badMode: Options = { ...good, mode: "slow" };
// @ts-expect-error a nullable option is null or its format's type, nothing else
const badLevel: Options = { ...good, level: "loud" };
// @ts-expect-error nested groups are nested objects
const badNested: Options = { ...good, tls: { enabled: "yes" } };
// @ts-expect-error a non-nullable option is never null
const badPort: Options = { ...good, port: null };
// @ts-expect-error a range is for numeric formats only
const badRange = { s: { doc: "d", format: "string", default: "", min: 1 } } as const satisfies ConfigSchema;
// @ts-expect-error a check gets the format's type: a list is no string
const badCheck = { l: { doc: "d", format: "list", default: [], validate: (v: string) => (v === "" ? "empty" : undefined) } } as const satisfies ConfigSchema;
// eslint-disable-next-line @typescript-eslint/no-meaningless-void-operator -- these exist for their @ts-expect-error; `void` is the use noUnusedLocals needs
void [badMode, badLevel, badNested, badPort, badRange, badCheck];

@injectable()
class Takes {
  constructor(@inject(OPTIONS) readonly options: Options) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

class TakesOtherTypes {
  constructor(readonly options: { readonly port: string }) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

class TakesNothing {
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

describe("ConfigOf and configToken", () => {
  it("inject the options PLUGIN_CONFIG holds, typed by the schema", () => {
    const result = validateOptions("x.conf", new Map([["port", { key: "port", value: "2003", line: 1 }]]), schema);
    if (!result.ok) return expect.fail(JSON.stringify(result.problems));
    const child = container.createChildContainer();
    child.register(PLUGIN_CONFIG, { useValue: result.values });
    const plugin = child.resolve(Takes);
    expect(plugin.options.port).to.equal(2003);
    expect(plugin.options.tls.enabled).to.equal(false);
    expect(OPTIONS).to.equal(PLUGIN_CONFIG);
  });

  it("definePlugin compiles only when the class takes the schema's options", () => {
    expect(definePlugin({ name: "takes", kind: "input", description: "d", schema, create: Takes }).schema).to.equal(schema);
    // @ts-expect-error the class takes port as a string
    definePlugin({ name: "other-types", kind: "input", description: "d", schema, create: TakesOtherTypes });
    // @ts-expect-error the class takes no options although the schema has some
    definePlugin({ name: "takes-nothing", kind: "input", description: "d", schema, create: TakesNothing });
    // No options: any class will do.
    definePlugin({ name: "no-options", kind: "input", description: "d", schema: {}, create: TakesNothing });
    // A schema typed only as ConfigSchema (what a wrapper such as defineTable passes): nothing to compare.
    const wide: ConfigSchema = schema;
    definePlugin<"input">({ name: "wide", kind: "input", description: "d", schema: wide, create: TakesNothing });
  });
});
