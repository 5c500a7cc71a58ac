import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { InputError } from "../cli/exitCodes";
import { writeFileSafely } from "../cli/outputPath";
import { readInputFile } from "../input/inputFile";
import type { FleetAudit } from "./auditFleet";
import { auditMetrics, formatMetrics, parseMetrics, type WrittenSample } from "./metrics";

/**
 * A fleet name as it goes into a file name and a label: what Pulumi allows in a stack name (letters, digits, `-`,
 * `_`, `.`), starting with a letter or digit.
 */
const FLEET_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

/** The metrics file of a fleet in node_exporter's textfile folder: one file per fleet, so fleets never overwrite each other. */
export function metricsFileName(fleet: string): string {
  return `kubesphere-fleet-${fleet}.prom`;
}

/** `--fleet`, or the stack's name: refused when it cannot name a file or a label value plainly. */
export function assertFleetName(flag: string, fleet: string): string {
  if (!FLEET_NAME.test(fleet)) {
    throw new InputError(
      `${flag} '${fleet}' cannot name the metrics file and the fleet label. Fix: ${flag === "--stack" ? "give --fleet <name> with " : "use "}letters, digits, '-', '_' and '.', starting with a letter or digit (as in a stack name).`,
    );
  }
  return fleet;
}

/**
 * Where the metrics of `fleet` go: into `path` when it is a folder (node_exporter's textfile folder), as
 * `kubesphere-fleet-<fleet>.prom`; else `path` is the file itself.
 */
export function metricsFile(path: string, fleet: string): string {
  const given = resolve(path);
  return existsSync(given) && statSync(given).isDirectory() ? join(given, metricsFileName(fleet)) : given;
}

/**
 * What this fleet's last audit wrote to `file`, to carry the state of clusters not read now. A missing, unreadable
 * or foreign file carries nothing: the audit goes on, and those clusters simply have no state series.
 */
export function previousSamples(file: string, maxBytes: number): WrittenSample[] {
  try {
    return parseMetrics(readInputFile(file, { label: "the previous metrics file", maxBytes }));
  } catch {
    return [];
  }
}

/**
 * Writes the metrics file whole through the one safe writer (a temp file never opened through a symlink, then a
 * rename; never through a symlink, never over a FIFO or device), 0644: it holds no secret, and the collector runs as another
 * user. Returns why it could not be written, naming `flag`, or `undefined`.
 */
export function writeMetricsFile(flag: string, file: string, audit: FleetAudit, context: { fleet: string; now: Date; maxBytes: number }): string | undefined {
  try {
    const previous = previousSamples(file, context.maxBytes);
    writeFileSafely(flag, file, formatMetrics(auditMetrics(audit, { fleet: context.fleet, now: context.now, previous })), 0o644);
    return undefined;
  } catch (error) {
    // A symlink, a FIFO, a device or a folder where the file goes: the safe writer's own message and fix.
    if (error instanceof InputError) return error.message;
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    return `${flag} ${file} cannot be written (${code}). Fix: give a path in a folder you can write to.`;
  }
}
