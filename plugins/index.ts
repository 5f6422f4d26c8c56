import type { AnyPluginDefinition } from "../core/plugin/api";
import internal from "./input/internal";
import line from "./input/line";
import livestatus from "./listener/livestatus";
import file from "./output/file";
import sqlite from "./store/sqlite";
import hosts from "./table/hosts";
import services from "./table/services";

/** The built-in plugins: adding one is a line here, never an edit in core/. */
export const BUILT_IN_PLUGINS: readonly AnyPluginDefinition[] = [internal, line, file, sqlite, livestatus, hosts, services];
