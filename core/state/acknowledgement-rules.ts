/**
 * When an acknowledgement holds, with commands and results ordered by their timestamps
 * rather than by arrival (issue rule: racing commands and results end as if applied in
 * timestamp order). Pure functions over the states the engine keeps.
 */
import type { Acknowledgement, CheckState } from "./check-state";

/**
 * What a result (at `time`, now in state `state`) leaves of an acknowledgement. Nagios'
 * rules: a normal acknowledgement ends with any state change, a sticky one on recovery.
 * A result stamped before the acknowledgement comes before it in timestamp order: the
 * acknowledgement was then given on this result's state, so it holds if that is a problem.
 */
export function keptAcknowledgement(ack: Acknowledgement | null, changed: boolean, state: number, time: number): Acknowledgement | null {
  if (ack === null || state === 0) return null;
  if (Math.floor(time) < Math.floor(ack.time)) return ack;
  if (changed && ack.type === 1) return null;
  return ack;
}

/** How an acknowledgement given at `time` ends on the current state `s`. */
export type AcknowledgementVerdict =
  /** Set it. */
  | "acknowledged"
  /** The object is OK/UP: nothing to acknowledge (Nagios refuses it too). */
  | "not-a-problem"
  /** The object was OK/UP at the acknowledgement's time: its problem began after it. */
  | "no-problem-then"
  /** A state change stamped after the acknowledgement has already ended it (a normal one, or a sticky one by a recovery). */
  | "superseded";

/**
 * The acknowledgement applied at its own time, then the state change the engine has seen
 * since (the engine keeps the last change only: the state before it is `lastState`).
 */
export function acknowledgementVerdict(s: CheckState, sticky: boolean, time: number): AcknowledgementVerdict {
  if (s.state === 0) return "not-a-problem";
  if (Math.floor(s.lastStateChange) <= Math.floor(time)) return "acknowledged";
  // The current state began after the acknowledgement: it was given on lastState.
  if (s.lastState === 0) return "no-problem-then";
  return sticky ? "acknowledged" : "superseded";
}
