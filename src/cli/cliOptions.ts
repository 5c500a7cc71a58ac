import { parseArgs, type ParseArgsConfig } from "node:util";
import { maxFileBytes } from "../input/inputFile";
import { InputError } from "./exitCodes";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The flag that raises the size limit of each file read. */
export const MAX_FILE_FLAG = "--max-file-mib";

/** The options every CLI of the project takes, with the same meaning: output, colour, file size limit, debug, help. */
const SHARED_OPTIONS = {
  json: { type: "boolean", default: false },
  "no-color": { type: "boolean", default: false },
  "max-file-mib": { type: "string" },
  debug: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies Options;

/** What the shared options decide, the same way for every CLI. */
export interface SharedOptions {
  readonly json: boolean;
  /** Colour only on a terminal, and not with --json, --no-color or NO_COLOR. */
  readonly colour: boolean;
  /** Size limit of each file read. */
  readonly maxFileBytes: number;
  /** Print the stack of an unexpected error. */
  readonly debug: boolean;
}

export interface CliDefaults {
  readonly projectDir: string;
  readonly isTty: boolean;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * A CLI's flags, strictly (no positionals, no unknown flag): its own options and the shared ones. A flag it does not
 * know is an `InputError` followed by its usage; `--help` is "help".
 */
export function parseCliOptions<O extends Options>(argv: readonly string[], options: O, usage: string): ParsedResults<O>["values"] | "help" {
  let parsed: ParsedResults<O>;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...options, ...SHARED_OPTIONS }, strict: true, allowPositionals: false }) as ParsedResults<O>;
  } catch (error) {
    throw new InputError(`${(error as Error).message}\n\n${usage}`);
  }
  return (parsed.values as { help?: boolean }).help ? "help" : parsed.values;
}

type ParsedResults<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O & typeof SHARED_OPTIONS; strict: true; allowPositionals: false }>>;

/** The shared options' meaning, from the parsed flags. */
export function sharedOptions(values: { json?: boolean; "no-color"?: boolean; "max-file-mib"?: string; debug?: boolean }, defaults: CliDefaults): SharedOptions {
  return {
    json: values.json ?? false,
    colour: defaults.isTty && !values.json && !values["no-color"] && !defaults.env["NO_COLOR"],
    maxFileBytes: maxFileBytes(values["max-file-mib"], MAX_FILE_FLAG),
    debug: values.debug ?? false,
  };
}

/** A flag given with an empty value is refused, naming it; absent stays undefined. */
export function nonEmpty(value: string | undefined, flag: string): string | undefined {
  if (value !== undefined && value.trim() === "") throw new InputError(`${flag} is empty; give a value or leave the flag out.`);
  return value;
}
