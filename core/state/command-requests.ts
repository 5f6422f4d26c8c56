import { HOST_CHECK } from "../model/check-result";
import type { CheckKey } from "./check-state";
import type { ObjectRecord } from "./object-records";

/** What a command did: applied (with a note for the log when it had no effect), or refused with the message for the client. */
export type Applied = { readonly ok: true; readonly note?: string; readonly ids?: readonly number[] } | { readonly ok: false; readonly message: string };

/** An acknowledgement as ACKNOWLEDGE_*_PROBLEM asks for it. */
export interface AcknowledgementRequest {
  readonly sticky: boolean;
  readonly persistent: boolean;
  readonly author: string;
  readonly comment: string;
  /** Seconds since the epoch; 0 never. */
  readonly expireTime: number;
}

/** A downtime as SCHEDULE_*_DOWNTIME asks for it (times in seconds since the epoch). */
export interface DowntimeRequest {
  readonly startTime: number;
  readonly endTime: number;
  readonly fixed: boolean;
  readonly triggeredBy: number;
  readonly duration: number;
  readonly author: string;
  readonly comment: string;
}

/** A comment as ADD_*_COMMENT asks for it. */
export interface CommentRequest {
  readonly persistent: boolean;
  readonly author: string;
  readonly comment: string;
}

/** The refusal of a command on an object Tantale does not know. */
export function unknownObject(target: CheckKey): Applied {
  return { ok: false, message: `${describeObject(target)} is not known` };
}

/** DEL_HOST_* naming a service's record, or DEL_SVC_* a host's: refused, naming the right command. */
export function wrongKind(what: "downtime" | "comment", record: ObjectRecord, service: boolean): Applied | undefined {
  const isService = record.check !== HOST_CHECK;
  if (isService === service) return undefined;
  return {
    ok: false,
    message: `${what} ${record.id} is a ${isService ? "service" : "host"} ${what}: use DEL_${isService ? "SVC" : "HOST"}_${what.toUpperCase()}`,
  };
}

/** "host web1" or "service web1;disk", for messages. */
export function describeObject(k: CheckKey): string {
  return k.check === HOST_CHECK ? `host ${k.hostname}` : `service ${k.hostname};${k.check}`;
}
