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
