import { TantaleError } from "../../errors";

/** Status codes Tantale answers with (Checkmk's meanings). */
export type LivestatusStatus = 200 | 400 | 403 | 404 | 413 | 451 | 452;

/** A request that cannot be answered, with the status code and the one-line message the client gets. */
export class LivestatusError extends TantaleError {
  constructor(
    readonly status: LivestatusStatus,
    message: string,
  ) {
    super(message);
  }
}
