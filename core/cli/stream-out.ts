import { TantaleError } from "../errors";

/** The reader of our output went away (`tantale dump | head`): not an error of ours, the command just stops. */
export class ReaderGoneError extends TantaleError {}

/**
 * A writer to `stream` (stdout) that waits while the stream's buffer is full, so that a
 * command writing much (dump) holds no more than the buffer whatever the reader's pace. An
 * EPIPE (the reader closed the pipe) rejects the next write with ReaderGoneError, instead of
 * ending the process with an unhandled 'error' event.
 */
export function backpressuredWriter(stream: NodeJS.WritableStream): (chunk: string) => Promise<void> {
  let failure: Error | undefined;
  const wake = new Set<() => void>();
  stream.on("error", (err: NodeJS.ErrnoException) => {
    failure = err.code === "EPIPE" ? new ReaderGoneError("the reader closed the output", { cause: err }) : err;
    for (const w of wake) w();
  });
  // A function, not the variable: the 'error' handler sets it while a write waits.
  const check = () => {
    if (failure !== undefined) throw failure;
  };
  return async (chunk) => {
    check();
    if (stream.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        wake.delete(done);
        stream.off("drain", done);
        resolve();
      };
      wake.add(done);
      stream.on("drain", done);
    });
    check();
  };
}
