/**
 * Every command in README.md and docs/*.md runs as written from the repository root: each `npm run check -- …`,
 * `npm run audit -- …` and `pulumi … --stack X` of a code block names a stack whose file exists (stacks/, or the
 * `--project-dir`'s stacks/ as the command says; or one an earlier `pulumi stack init` of the same block makes) and
 * only flags the CLI's usage text lists; every relative link points at a file and heading that exist; and the
 * README's first set-up command's check runs, as written, on the example fleet.
 */
import test from "ava";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { AUDIT_USAGE } from "../../src/audit/auditArgs";
import { CHECK_USAGE } from "../../src/check/checkArgs";
import { REPO, runCommand } from "../helpers/checkCli";
import { docPath, docText, shellWords } from "../helpers/docs";

/** README.md and every docs/*.md, by path from the root. */
const DOCS = ["README.md", ...readdirSync(docPath("docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)];

/** The flags a CLI's usage text lists. */
function usageFlags(usage: string): Set<string> {
  return new Set([...usage.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]));
}
const FLAGS = { check: usageFlags(CHECK_USAGE), audit: usageFlags(AUDIT_USAGE) };

/** One shell command of a doc's code block: where it is, its words, and the stacks made earlier in its block. */
interface DocCommand {
  readonly where: string;
  readonly words: readonly string[];
  readonly madeStacks: ReadonlySet<string>;
}

/** The lines of each fenced code block of a doc (fences may be indented, as in a list item), with their line numbers. */
function codeBlocks(path: string): { line: number; text: string }[][] {
  const blocks: { line: number; text: string }[][] = [];
  let block: { line: number; text: string }[] | undefined;
  docText(path)
    .split("\n")
    .forEach((text, i) => {
      if (/^\s*```/.test(text)) {
        if (block) blocks.push(block);
        block = block ? undefined : [];
      } else if (block) block.push({ line: i + 1, text: text.trim().replace(/^\$ /, "") }); // a transcript's prompt
    });
  return blocks;
}

/** A shell line's commands: split at `&&`, `||`, `;` and `|` outside quotes and `$(…)`, the comment dropped. */
function shellCommands(line: string): string[] {
  const out: string[] = [];
  let current = "";
  let quote: string | undefined;
  let depth = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "$" && line[i + 1] === "(") depth++;
    else if (c === ")" && depth > 0) depth--;
    else if (depth === 0 && c === "#" && (i === 0 || /\s/.test(line[i - 1]!))) break;
    else if (depth === 0 && (c === ";" || c === "|" || (c === "&" && line[i + 1] === "&"))) {
      out.push(current);
      current = "";
      if (line[i + 1] === c) i++;
      continue;
    }
    current += c;
  }
  out.push(current);
  return out.map((c) => c.trim().replace(/^\(+|\)+$/g, "").trim()).filter((c) => c !== "");
}

/** Every command of every code block of README.md and docs/*.md. */
function docCommands(): DocCommand[] {
  const out: DocCommand[] = [];
  for (const path of DOCS) {
    for (const block of codeBlocks(path)) {
      const made = new Set<string>();
      for (const { line, text } of block) {
        for (const command of shellCommands(text)) {
          const words = shellWords(command);
          out.push({ where: `${path}:${line}: ${command}`, words, madeStacks: new Set(made) });
          if (words[0] === "pulumi" && words[1] === "stack" && words[2] === "init" && words[3]) made.add(words[3]);
        }
      }
    }
  }
  return out;
}

/** The values of `--flag v` and `--flag=v` in a command's words. */
function flagValues(words: readonly string[], flag: string): string[] {
  return words.flatMap((w, i) => (w === flag && words[i + 1] !== undefined ? [words[i + 1]!] : w.startsWith(`${flag}=`) ? [w.slice(flag.length + 1)] : []));
}

/** A stack named by a placeholder (`<name>`, `$STACK`) is the reader's own, not one of this repository's. */
function isPlaceholder(stack: string): boolean {
  return /[<$]/.test(stack);
}

/** What is wrong with the stacks a command names: a stack file that is not there, or a --project-dir that is not a folder. */
function stackProblems(command: DocCommand, projectDir: string | undefined): string[] {
  const dir = join(REPO, projectDir ?? ".");
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [`${command.where}: --project-dir ${projectDir} is not a folder of the repository`];
  // `check --program P --stack S` reads P/Pulumi.S.yaml.
  const program = flagValues(command.words, "--program")[0];
  if (program !== undefined) {
    return flagValues(command.words, "--stack")
      .filter((stack) => !isPlaceholder(stack) && !isPlaceholder(program) && !existsSync(join(REPO, program, `Pulumi.${stack}.yaml`)))
      .map((stack) => `${command.where}: stack '${stack}' has no ${join(program, `Pulumi.${stack}.yaml`)}`);
  }
  return flagValues(command.words, "--stack")
    .filter((stack) => !isPlaceholder(stack) && !command.madeStacks.has(stack))
    .filter((stack) => !existsSync(join(dir, "stacks", `Pulumi.${stack}.yaml`)))
    .map((stack) => `${command.where}: stack '${stack}' has no ${join(projectDir ?? ".", "stacks", `Pulumi.${stack}.yaml`)}`);
}

const COMMANDS = docCommands();
const CLI_COMMANDS = COMMANDS.flatMap((c): (DocCommand & { cli: keyof typeof FLAGS; args: readonly string[] })[] => {
  const [npm, run, cli, dashes] = c.words;
  return npm === "npm" && run === "run" && (cli === "check" || cli === "audit") && dashes === "--" ? [{ ...c, cli, args: c.words.slice(4) }] : [];
});
const PULUMI_COMMANDS = COMMANDS.filter((c) => c.words[0] === "pulumi" && flagValues(c.words, "--stack").length > 0);

test("the docs' check and audit commands name existing stacks and only flags the CLI's usage lists", (t) => {
  t.true(CLI_COMMANDS.filter((c) => c.cli === "check").length >= 10, "the docs' check commands were found");
  t.true(CLI_COMMANDS.filter((c) => c.cli === "audit").length >= 4, "the docs' audit commands were found");
  const problems: string[] = [];
  for (const command of CLI_COMMANDS) {
    const flags = command.args.filter((w) => w.startsWith("-")).map((w) => w.split("=")[0]!);
    for (const flag of flags) if (!FLAGS[command.cli].has(flag)) problems.push(`${command.where}: ${flag} is not an option of ${command.cli} (its usage text does not list it)`);
    const projectDirs = flagValues(command.args, "--project-dir");
    problems.push(...stackProblems(command, projectDirs[0]));
  }
  t.deepEqual(problems, []);
});

test("the docs' pulumi commands with --stack name a stack file of stacks/, or one their block makes", (t) => {
  t.true(PULUMI_COMMANDS.length >= 1, "the docs' pulumi --stack commands were found");
  t.deepEqual(PULUMI_COMMANDS.flatMap((c) => stackProblems(c, undefined)), []);
});

test("a stack the docs name that is not there is found: the check's own test of its rules", (t) => {
  const command = (line: string, made: string[] = []): DocCommand => ({ where: line, words: shellWords(line), madeStacks: new Set(made) });
  t.deepEqual(stackProblems(command("npm run check -- --stack dev"), undefined), []);
  t.is(stackProblems(command("npm run check -- --stack host-eu"), undefined).length, 1, "split-fleet's stacks are not in stacks/");
  t.deepEqual(stackProblems(command("npm run check -- --project-dir examples/split-fleet --stack host-eu"), "examples/split-fleet"), []);
  t.deepEqual(stackProblems(command("npm run check -- --stack prod", ["prod"]), undefined), []);
  t.deepEqual(stackProblems(command("npm run check -- --stack <name>"), undefined), []);
  t.deepEqual(stackProblems(command("npm run check -- --program examples/own-program --stack example"), undefined), []);
  t.is(stackProblems(command("npm run check -- --program examples/own-program --stack dev"), undefined).length, 1, "a program's stack file is beside its Pulumi.yaml");
  t.deepEqual(shellCommands(`pulumi config set --secret jwtSecret "$(openssl rand -hex 16)"   # or omit it; a && b`), [
    `pulumi config set --secret jwtSecret "$(openssl rand -hex 16)"`,
  ]);
  t.deepEqual(shellCommands("npm install && npm run check -- --stack dev"), ["npm install", "npm run check -- --stack dev"]);
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
}

test("every relative link of README.md and docs/*.md points at a file, and a heading, that exist", (t) => {
  const problems: string[] = [];
  let links = 0;
  for (const path of DOCS) {
    for (const m of docText(path).matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (/^[a-z]+:/.test(target)) continue;
      links++;
      const [file, hash] = target.split("#") as [string, string | undefined];
      const resolved = file === "" ? path : join(path, "..", file);
      if (!existsSync(join(REPO, resolved))) {
        problems.push(`${path}: ${target}: ${resolved} does not exist`);
        continue;
      }
      if (hash === undefined) continue;
      const headings = docText(resolved).split("\n").filter((l) => /^#{1,6} /.test(l)).map((l) => anchor(l.replace(/^#+ /, "")));
      if (!headings.includes(hash)) problems.push(`${path}: ${target}: ${resolved} has no heading #${hash}`);
    }
  }
  t.true(links >= 10, "the docs' links were found");
  t.deepEqual(problems, []);
});

test("the README's set-up commands are there as written, and the check part of the first runs on the example fleet", async (t) => {
  const setUp = codeBlocks("README.md").flat().map((l) => l.text);
  t.true(setUp.includes("npm install && npm test"));
  const first = setUp.find((l) => l.startsWith("npm install && npm run check -- "));
  if (!first) return t.fail("README.md has no `npm install && npm run check -- …` line");
  const check = shellWords(shellCommands(first)[1]!);
  t.deepEqual(check, ["npm", "run", "check", "--", "--stack", "dev"]);
  const run = await runCommand(check[0]!, check.slice(1), { cwd: REPO, env: { ...process.env, NO_COLOR: "1" } });
  t.is(run.code, 0, run.stderr);
  t.regex(run.stdout, /No mandatory violations/);
});
