import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { CHECK_USAGE, MAX_FILE_FLAG, parseCheckArgs } from "../check/checkArgs";
import { formatText, textStyle } from "../check/formatText";
import { mandatoryCount } from "../check/report";
import { runCheck } from "../check/runCheck";
import { toSarif } from "../check/sarif";
import { allRules } from "../rules";
import { ExitCode, InputError, unexpected } from "./exitCodes";

/** `npm run check -- --stack <name>`: parse arguments, run the check, print, and say the exit code. */
export async function main(argv: readonly string[], io = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<ExitCode> {
  try {
    const args = parseCheckArgs(argv, { projectDir: join(__dirname, "..", ".."), isTty: Boolean(io.stdout.isTTY), env: io.env });
    if (args === "help") {
      io.stdout.write(`${CHECK_USAGE}\n`);
      return ExitCode.healthy;
    }
    const progress = (message: string) => {
      if (!args.json || io.stderr.isTTY) io.stderr.write(`${message}\n`);
    };
    const report = await runCheck({ ...args, env: io.env, progress, fileLimits: { maxBytes: args.maxFileBytes, raiseWith: `${MAX_FILE_FLAG} <MiB>` } });
    if (args.sarif) {
      const version = (require("../../package.json") as { version: string }).version;
      writeOutput("--sarif", args.sarif, `${JSON.stringify(toSarif(report, allRules(), { projectDir: args.projectDir, toolVersion: version }), null, 2)}\n`);
    }
    io.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : formatText(report, textStyle(args.colour)));
    return mandatoryCount(report) > 0 ? ExitCode.violation : ExitCode.healthy;
  } catch (error) {
    if (error instanceof InputError) {
      io.stderr.write(`error: ${error.message}\n`);
      return ExitCode.badInput;
    }
    io.stderr.write(`error: the check failed unexpectedly: ${unexpected(error, argv.includes("--debug"))}\n`);
    return ExitCode.violation;
  }
}

/** An output written after the run; a failure now (disk full, folder removed meanwhile) is still bad input, exit 2. */
function writeOutput(flag: string, path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new InputError(`${flag} ${path} cannot be written (${(error as NodeJS.ErrnoException).code ?? "error"}). Fix: give a path in a folder you can write to.`);
  }
}

if (require.main === module) {
  // Not process.exit(): it would cut a report still being written to a pipe.
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
