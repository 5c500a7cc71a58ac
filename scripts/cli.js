#!/usr/bin/env -S node --
// `kubesphere-fleet check|audit` (the package's bin) and `npm run check` / `npm run audit`: runs the CLI from the build (policies/bin, written by `npm run build`, which
// `npm install` runs through `prepare`) instead of compiling TypeScript at every start. When a TypeScript source or
// tsconfig is newer than the build (an edit, a `git pull`), it rebuilds first, so a run never uses stale code.
// Plain JavaScript on purpose: it must run before anything is compiled. package.json starts it as
// `node -- scripts/cli.js`: the `--` ends Node's own options, which Node would otherwise also take from after the
// script's name (an `--env-file` there is read by Node before this file runs; see docs/security.md). Installed as a
// bin, the `#!/usr/bin/env -S node --` line above does the same. An installed package has the build and no sources:
// nothing to rebuild then.
"use strict";
const { existsSync, readdirSync, readFileSync, statSync } = require("node:fs");
const { join } = require("node:path");
const { spawnSync } = require("node:child_process");

const ROOT = join(__dirname, "..");
const CLIS = ["check", "audit"];
/** What `tsconfig.build.json` compiles from: a change to any of these makes the build stale. */
const SOURCE_DIRS = [join(ROOT, "src"), join(ROOT, "policies")];
const USAGE = `Usage: kubesphere-fleet <${CLIS.join("|")}> [options]

  check    what \`pulumi up\` would change on each cluster, and the policy pack's verdict, offline
  audit    read every cluster of the fleet and report its live state

kubesphere-fleet <command> --help shows a command's options; kubesphere-fleet --version its version.
`;
const SOURCE_FILES = [join(ROOT, "tsconfig.json"), join(ROOT, "tsconfig.build.json")];

function newestSourceMs() {
  let newest = 0;
  if (!existsSync(join(ROOT, "src"))) return newest;
  const visit = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (entry.name !== "bin" && entry.name !== "node_modules") visit(join(dir, entry.name));
      } else if (entry.name.endsWith(".ts")) {
        newest = Math.max(newest, statSync(join(dir, entry.name)).mtimeMs);
      }
    }
  };
  SOURCE_DIRS.forEach(visit);
  for (const file of SOURCE_FILES) newest = Math.max(newest, statSync(file).mtimeMs);
  return newest;
}

function builtMs(file) {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

function build(why) {
  process.stderr.write(`Building with tsconfig.build.json first: ${why}.\n`);
  let tsc;
  try {
    tsc = require.resolve("typescript/bin/tsc", { paths: [ROOT] });
  } catch {
    process.stderr.write("error: TypeScript is not installed; run `npm install` (it builds the project).\n");
    process.exit(2);
  }
  // tsc reports to stdout; keep stdout for the CLI's own report (--json).
  const result = spawnSync(process.execPath, [tsc, "-p", join(ROOT, "tsconfig.build.json")], { cwd: ROOT, stdio: ["ignore", 2, 2] });
  if (result.status !== 0) {
    process.stderr.write("error: the build failed (above); fix it, or see `npm run build`. Nothing was run.\n");
    process.exit(2);
  }
}

/**
 * CLI `name`'s build (policies/bin) and whether it is current: it exists and no source is newer. The tests start the
 * CLIs from it when it is (`test/helpers/checkCli.ts`), as this launcher does.
 */
function builtCli(name) {
  const entry = join(ROOT, "policies", "bin", "src", "cli", `${name}.js`);
  const built = builtMs(entry);
  return { entry, built, current: built >= 0 && newestSourceMs() <= built };
}

function main() {
  const [name, ...args] = process.argv.slice(2);
  if (name === "--version" || name === "-v") {
    process.stdout.write(`${JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).version}\n`);
    process.exit(0);
  }
  if (name === "--help" || name === "-h") {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  if (!CLIS.includes(name)) {
    process.stderr.write(`${name === undefined ? "" : `error: unknown command '${name}'.\n\n`}${USAGE}`);
    process.exit(2);
  }
  const { entry, built, current } = builtCli(name);
  if (built < 0) build("there is no build yet");
  else if (!current) build("a source changed since the last build");
  require(entry).cli(args);
}

if (require.main === module) main();
else module.exports = { builtCli };
