import type { AnyPluginDefinition } from "../core/plugin/api";
import internal from "./input/internal";
import line from "./input/line";
import file from "./output/file";
import sqlite from "./store/sqlite";

/** The built-in plugins: adding one is a line here, never an edit in core/. */
export const BUILT_IN_PLUGINS: readonly AnyPluginDefinition[] = [internal, line, file, sqlite];
