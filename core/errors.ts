/** Every error Tantale throws on purpose carries its context and chains its cause. */
export class TantaleError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** One problem in the configuration: where it is and what was expected. */
export interface ConfigProblem {
  readonly file: string;
  readonly line?: number;
  readonly key?: string;
  readonly message: string;
}

export function formatProblem(p: ConfigProblem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}`;
  return p.key === undefined ? `${where}: ${p.message}` : `${where}: ${p.key}: ${p.message}`;
}

/** All configuration problems found at once, so one run of check-config shows them all. */
export class ConfigError extends TantaleError {
  readonly problems: readonly ConfigProblem[];
  constructor(problems: readonly ConfigProblem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.problems = problems;
  }
}

/** A plugin could not be found, loaded or accepted. */
export class PluginLoadError extends TantaleError {
  constructor(
    readonly plugin: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`plugin "${plugin}": ${message}`, options);
  }
}

/** A plugin instance failed while starting, writing or stopping. */
export class PluginRuntimeError extends TantaleError {
  constructor(
    readonly instance: string,
    readonly phase: string,
    options: { cause: unknown },
  ) {
    super(`instance "${instance}" failed to ${phase}: ${describeError(options.cause)}`, options);
  }
}

/** Thrown by plugins for a failure worth retrying later (a store or server that is away). */
export class RetryableError extends TantaleError {}

export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
