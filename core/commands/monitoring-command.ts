import type { CheckResult } from "../model/check-result";
import type { CheckKey } from "../state/check-state";
import type { AcknowledgementRequest, CommentRequest, DowntimeRequest } from "../state/state-engine";

/** The object a command names: a host (check = HOST_CHECK) or one of its services. */
export type CommandTarget = CheckKey;

/**
 * A parsed external command (docs/livestatus.md §5), with its typed arguments. `time` is the
 * command's timestamp (`[ts]`), which orders it against results (state-engine.ts).
 */
export type MonitoringCommand =
  | { readonly kind: "result"; readonly result: CheckResult }
  | ({ readonly kind: "acknowledge"; readonly target: CommandTarget; readonly notify: boolean } & AcknowledgementRequest)
  | { readonly kind: "remove-acknowledgement"; readonly target: CommandTarget }
  /** `withServices`: the host's services too (SCHEDULE_HOST_SVC_DOWNTIME). */
  | ({ readonly kind: "schedule-downtime"; readonly withServices: boolean; readonly target: CommandTarget } & DowntimeRequest)
  | { readonly kind: "delete-downtime"; readonly id: number; readonly service: boolean }
  | ({ readonly kind: "add-comment"; readonly target: CommandTarget } & CommentRequest)
  | { readonly kind: "delete-comment"; readonly id: number; readonly service: boolean }
  | { readonly kind: "remove-object"; readonly target: CommandTarget; readonly withServices: boolean }
  /** Accepted and without effect in a passive daemon (Nagstamon's recheck button). */
  | { readonly kind: "no-op"; readonly target: CommandTarget | undefined };

export interface ParsedCommand {
  readonly ok: true;
  /** Upper-cased command name, as logged. */
  readonly name: string;
  readonly time: number;
  readonly command: MonitoringCommand;
  /** Arguments past the last one the command defines (logged at debug level, otherwise ignored). */
  readonly extra: readonly string[];
  readonly warnings: readonly string[];
}
