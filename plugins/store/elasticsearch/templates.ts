/**
 * The index templates of the store: one composable template per kind of index, with strict
 * mappings (a field the mapping does not know is refused, never guessed), installed at start.
 * Installing is idempotent: a template whose `_meta.version` is already this one's is left
 * alone, an older one is replaced (and the log says so), a newer one (a newer Tantale on the
 * same cluster) is kept.
 */
import type { Client } from "./client";
import { describeEsError } from "./client";
import { LOG_TEXT_INDEXED_CHARS, type IndexNames } from "./documents";
import type { Logger } from "../../../core/log/logger";

/** Raised when the mappings change; the templates then apply to indices created afterwards (the next daily log index). */
export const TEMPLATE_VERSION = 1;
/** Above the built-in templates (100), so a broad pattern of the cluster's own does not win. */
const PRIORITY = 200;

type Mapping = Readonly<Record<string, unknown>>;

const KEYWORD: Mapping = { type: "keyword" };
/** Searchable up to LOG_TEXT_INDEXED_CHARS characters (Lucene's term limit is 32766 bytes); longer values are kept in _source only. */
const LONG_KEYWORD: Mapping = { type: "keyword", ignore_above: LOG_TEXT_INDEXED_CHARS };
/** Kept in _source, never searched (no index, no doc values: no length limit). */
const STORED_TEXT: Mapping = { type: "keyword", index: false, doc_values: false };
/** Kept whole in _source, not parsed: custom variables and records have keys the mapping cannot know. */
const STORED_OBJECT: Mapping = { type: "object", enabled: false };
const SECONDS: Mapping = { type: "double" };
const BYTE: Mapping = { type: "byte" };
const MILLIS: Mapping = { type: "date", format: "epoch_millis" };

export interface IndexTemplate {
  readonly name: string;
  readonly body: {
    readonly index_patterns: readonly string[];
    readonly priority: number;
    readonly _meta: { readonly managed_by: "tantale"; readonly version: number };
    readonly template: { readonly settings: Mapping; readonly mappings: Mapping };
  };
}

function template(name: string, pattern: string, settings: Mapping, properties: Readonly<Record<string, Mapping>>): IndexTemplate {
  return {
    name,
    body: {
      index_patterns: [pattern],
      priority: PRIORITY,
      _meta: { managed_by: "tantale", version: TEMPLATE_VERSION },
      template: { settings, mappings: { dynamic: "strict", properties } },
    },
  };
}

/** The three templates (state, records, daily log), named after their indices. */
export function indexTemplates(names: IndexNames): readonly IndexTemplate[] {
  // A steady refresh: an index not searched for 30 s would otherwise stop refreshing, and the next read wait for one.
  const settings = { number_of_shards: 1, refresh_interval: "1s" };
  return [
    template(names.state, names.state, settings, {
      "@timestamp": MILLIS,
      hostname: KEYWORD,
      check: KEYWORD,
      state: BYTE,
      last_state: BYTE,
      output: LONG_KEYWORD,
      long_output: STORED_TEXT,
      perf_data: STORED_TEXT,
      last_check: SECONDS,
      last_state_change: SECONDS,
      last_hard_state_change: SECONDS,
      interval: SECONDS,
      contacts: KEYWORD,
      hostgroups: KEYWORD,
      servicegroups: KEYWORD,
      custom_variables: STORED_OBJECT,
      outdated: { type: "boolean" },
      acknowledgement: {
        type: "object",
        properties: { type: BYTE, author: KEYWORD, comment: LONG_KEYWORD, time: SECONDS, expire_time: SECONDS },
      },
      downtime_depth: { type: "integer" },
      node: KEYWORD,
    }),
    template(names.records, names.records, settings, {
      kind: KEYWORD,
      node: KEYWORD,
      hostname: KEYWORD,
      check: KEYWORD,
      record_id: { type: "long" },
      record: STORED_OBJECT,
    }),
    template(logTemplateName(names), names.logPattern, settings, {
      "@timestamp": MILLIS,
      id: KEYWORD,
      time: SECONDS,
      class: BYTE,
      type: KEYWORD,
      hostname: KEYWORD,
      check: KEYWORD,
      state: BYTE,
      state_type: KEYWORD,
      attempt: { type: "integer" },
      output: LONG_KEYWORD,
      message: LONG_KEYWORD,
      node: KEYWORD,
    }),
  ];
}

/** `<prefix>-log`: the pattern without its `-*`. */
function logTemplateName(names: IndexNames): string {
  return names.logPattern.replace(/-\*$/, "");
}

export type TemplateOutcome = "installed" | "upgraded" | "current" | "newer";

/**
 * Puts each template whose stored version is missing or older. Returns what happened to
 * each, by name. Throws the client's error when the cluster cannot be asked.
 */
export async function installTemplates(client: Client, names: IndexNames, log: Logger, requestTimeout: number): Promise<ReadonlyMap<string, TemplateOutcome>> {
  const outcomes = new Map<string, TemplateOutcome>();
  for (const t of indexTemplates(names)) {
    const stored = await storedVersion(client, t.name, requestTimeout);
    let outcome: TemplateOutcome;
    if (stored === undefined) outcome = "installed";
    else if (stored < TEMPLATE_VERSION) outcome = "upgraded";
    else if (stored === TEMPLATE_VERSION) outcome = "current";
    else outcome = "newer";
    if (outcome === "installed" || outcome === "upgraded") {
      try {
        await client.indices.putIndexTemplate({ name: t.name, ...t.body }, { requestTimeout });
      } catch (err) {
        throw new Error(`index template ${t.name}: could not be put: ${describeEsError(err)}`, { cause: err });
      }
    }
    if (outcome === "installed") log.info("index template installed", { template: t.name, version: TEMPLATE_VERSION });
    else if (outcome === "upgraded")
      log.info("index template upgraded: it applies to indices created from now on", { template: t.name, from: stored, to: TEMPLATE_VERSION });
    else if (outcome === "newer") log.warn("index template written by a newer Tantale: left as it is", { template: t.name, stored, this: TEMPLATE_VERSION });
    outcomes.set(t.name, outcome);
  }
  return outcomes;
}

/** The `_meta.version` of a stored template; undefined when there is none (or it has no version: not ours, replaced). */
async function storedVersion(client: Client, name: string, requestTimeout: number): Promise<number | undefined> {
  let answer: unknown;
  try {
    answer = await client.indices.getIndexTemplate({ name }, { ignore: [404], requestTimeout });
  } catch (err) {
    throw new Error(`index template ${name}: could not be read: ${describeEsError(err)}`, { cause: err });
  }
  const list = (answer as { index_templates?: unknown }).index_templates;
  if (!Array.isArray(list)) return undefined;
  for (const item of list as unknown[]) {
    const entry = item as { name?: unknown; index_template?: { _meta?: { version?: unknown } } };
    if (entry.name !== name) continue;
    const version = entry.index_template?._meta?.version;
    return typeof version === "number" ? version : undefined;
  }
  return undefined;
}
