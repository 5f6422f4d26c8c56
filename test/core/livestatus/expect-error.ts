import { expect } from "chai";
import { LivestatusError } from "../../../core/livestatus/protocol/livestatus-error";

/** Runs `fn`, expects a LivestatusError with `status`, and returns its message for further checks. */
export function livestatusError(fn: () => unknown, status: number): string {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof LivestatusError)) throw err;
    expect(err.status, err.message).to.equal(status);
    return err.message;
  }
  throw new Error(`expected a LivestatusError ${status}, nothing was thrown`);
}
