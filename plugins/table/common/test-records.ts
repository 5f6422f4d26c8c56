/**
 * Test fixture only (imported by the tables' *.test.ts, never by a plugin): the commands that
 * make downtimes and comments, applied to a kit's engine as the command executor applies
 * them, each returning the ids the engine handed out (Applied.ids), so that the tests
 * compare the tables' ids with the engine's rather than with numbers they guess.
 */
import { expect } from "chai";
import type { Applied } from "../../../core";
import { type AcknowledgementRequest, type CommentRequest, type DowntimeRequest, type EngineKit, T0 } from "../../../test/helpers/table-kit";

function idsOf(applied: Applied): readonly number[] {
  if (!applied.ok) return expect.fail(`the engine refused: ${applied.message}`);
  return applied.ids ?? [];
}

function single(ids: readonly number[]): number {
  if (ids.length !== 1) return expect.fail(`expected one id, got ${JSON.stringify(ids)}`);
  return ids[0]!;
}

/** ACKNOWLEDGE_*_PROBLEM stamped T0 + `seconds` (normal, by alice, not expiring unless asked): the id of its comment. */
export function acknowledge(kit: EngineKit, hostname: string, check: string, seconds: number, request: Partial<AcknowledgementRequest> = {}): number {
  return single(
    idsOf(
      kit.engine.acknowledge(
        { hostname, check },
        { sticky: false, persistent: false, author: "alice", comment: "acknowledged", expireTime: 0, ...request },
        T0 + seconds,
      ),
    ),
  );
}

/** ADD_*_COMMENT stamped T0 + `seconds` (by alice unless asked): the comment's id. */
export function addComment(kit: EngineKit, hostname: string, check: string, seconds: number, request: Partial<CommentRequest> = {}): number {
  return single(idsOf(kit.engine.addComment({ hostname, check }, { persistent: false, author: "alice", comment: "a note", ...request }, T0 + seconds)));
}

/** What a downtime needs besides its window: fixed, by alice, no trigger, unless asked. */
export type DowntimeAsked = Partial<DowntimeRequest> & Pick<DowntimeRequest, "startTime" | "endTime">;

/** SCHEDULE_*_DOWNTIME (SCHEDULE_HOST_SVC_DOWNTIME with `withServices`) stamped T0 + `seconds`: the ids, one per object. */
export function scheduleDowntime(
  kit: EngineKit,
  hostname: string,
  check: string,
  seconds: number,
  request: DowntimeAsked,
  withServices = false,
): readonly number[] {
  const full: DowntimeRequest = {
    fixed: true,
    triggeredBy: 0,
    duration: request.endTime - request.startTime,
    author: "alice",
    comment: "maintenance",
    ...request,
  };
  return idsOf(kit.engine.scheduleDowntime({ hostname, check }, full, withServices, T0 + seconds));
}
