/** Assertions shared by the pinned cases. */
import { expect } from "chai";
import { errors } from "@elastic/elasticsearch";

export interface ErrorBody {
  readonly error: {
    readonly type: string;
    readonly reason: string;
    readonly root_cause?: Array<{ type: string; reason: string }>;
    readonly [k: string]: unknown;
  };
  readonly status: number;
}

/** Awaits a client call that must fail with `status` (YAML `catch: conflict|missing|bad_request`); returns the error body. */
export async function expectStatus(p: Promise<unknown>, status: number, type?: string): Promise<ErrorBody> {
  try {
    await p;
  } catch (e) {
    if (!(e instanceof errors.ResponseError)) throw e;
    expect(e.statusCode, JSON.stringify(e.body)).to.equal(status);
    const body = e.body as ErrorBody;
    if (type !== undefined) expect(body.error.type, JSON.stringify(body)).to.equal(type);
    return body;
  }
  expect.fail(`expected a ${status} answer`);
}

/** The reason of the error or of its root cause (search errors wrap their cause). */
export function reasons(b: ErrorBody): string {
  return [b.error.reason, ...(b.error.root_cause ?? []).map((r) => r.reason)].join(" | ");
}

export function types(b: ErrorBody): string[] {
  return [b.error.type, ...(b.error.root_cause ?? []).map((r) => r.type)];
}
