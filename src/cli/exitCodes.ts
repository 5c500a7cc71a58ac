/** Exit codes shared by `npm run check` and `npm run audit`. */
export const ExitCode = {
  /** Every cluster reachable and no mandatory violation. */
  healthy: 0,
  /** A mandatory violation, or a cluster that could not be read. */
  violation: 1,
  /** Bad input: unknown flag, missing stack or kubeconfig, invalid config. Nothing was audited. */
  badInput: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error in what the user gave; the CLI prints `message` alone (no stack trace) and exits with `badInput`. */
export class InputError extends Error {
  override readonly name = "InputError";
}

/**
 * How an unexpected error is printed: its name and first line, and `--debug` for the rest. A stack trace is noise to
 * a user, and a message's later lines (a parser's excerpt, a server's answer) may quote a credential.
 */
export function unexpected(error: unknown, debug: boolean): string {
  if (!(error instanceof Error)) return `${typeof error === "string" ? "error" : typeof error}. Run again with --debug for details, and report it.`;
  if (debug) return error.stack ?? `${error.name}: ${error.message}`;
  return `${error.name}: ${error.message.split("\n")[0]}. Run again with --debug for the stack trace, and please report it with the command line you ran.`;
}
