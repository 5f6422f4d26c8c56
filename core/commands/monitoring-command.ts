import type { CheckResult } from "../model/check-result";

/** The object a command names: a host (check = HOST_CHECK) or one of its services. */
export interface CommandTarget {
  readonly hostname: string;
  readonly check: string;
}

/**
 * A parsed external command (livestatus.md §5), with its typed arguments. `time` is the
 * command's timestamp (`[ts]`), which orders it against results (state-engine.ts).
 */
export type MonitoringCommand =
  | { readonly kind: "result"; readonly result: CheckResult }
  | {
      readonly kind: "acknowledge";
      readonly target: CommandTarget;
      readonly sticky: boolean;
      readonly notify: boolean;
      readonly persistent: boolean;
      readonly author: string;
      readonly comment: string;
      /** 0: never expires. */
      readonly expireTime: number;
    }
  | { readonly kind: "remove-acknowledgement"; readonly target: CommandTarget }
  | {
      readonly kind: "schedule-downtime";
      /** The host's services too (SCHEDULE_HOST_SVC_DOWNTIME). */
      readonly withServices: boolean;
      readonly target: CommandTarget;
      readonly startTime: number;
      readonly endTime: number;
      readonly fixed: boolean;
      readonly triggeredBy: number;
      readonly duration: number;
      readonly author: string;
      readonly comment: string;
    }
  | { readonly kind: "delete-downtime"; readonly id: number; readonly service: boolean }
  | { readonly kind: "add-comment"; readonly target: CommandTarget; readonly persistent: boolean; readonly author: string; readonly comment: string }
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
