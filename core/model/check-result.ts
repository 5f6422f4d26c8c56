/**
 * One passive check result as it travels from an input to the outputs.
 * `check` is the service description, or "Host" for the host check.
 */
export interface CheckResult {
  readonly hostname: string;
  readonly check: string;
  /** 0..3 for services, 0..2 for hosts. */
  readonly status: number;
  readonly output: string;
  readonly longOutput: string;
  readonly perfData: string;
  /** Seconds since the epoch, may be fractional. */
  readonly timestamp: number;
  /** Expected seconds between two results. */
  readonly interval: number;
  /** Contact names; each is also a contact group of that name (users or groups alike). */
  readonly contacts: readonly string[];
  /** Group membership carried by the result (optional fields of the inputs). */
  readonly hostgroups: readonly string[];
  readonly servicegroups: readonly string[];
  /** Fields the input did not know, kept as custom variables (names upper-cased, as Nagios does). */
  readonly customVariables: Readonly<Record<string, string>>;
}

export const HOST_CHECK = "Host";
