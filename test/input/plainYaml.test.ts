/**
 * The js-yaml fast path in front of the bounded YAML reader: wherever it answers, it gives the values the `yaml`
 * reader gives; wherever the `yaml` reader refuses (or the two might differ), it leaves the verdict to that reader.
 */
import test from "ava";
import { readdirSync, readFileSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { composeYamlDocuments, MAX_YAML_DEPTH, readYamlDocuments } from "../../src/input/boundedYaml";
import { InputFileError } from "../../src/input/inputFile";
import { readPlainYaml } from "../../src/input/plainYaml";

const FIXTURES = join(__dirname, "..", "fixtures");

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : []));
}

/** Every YAML fixture, and the kubesphere.yaml each ConfigMap fixture carries (a document of its own to the check). */
function fixtureTexts(): string[] {
  const texts = yamlFiles(FIXTURES).map((f) => readFileSync(f, "utf8"));
  for (const text of [...texts]) {
    for (const doc of parseAllDocuments(text)) {
      const value = doc.errors.length === 0 ? (doc.toJS() as { data?: Record<string, unknown> } | null) : null;
      const embedded = value?.data?.["kubesphere.yaml"];
      if (typeof embedded === "string") texts.push(embedded);
    }
  }
  return texts;
}

type Verdict = { values: unknown[] } | { refused: string };

function strictly(text: string): Verdict {
  try {
    return { values: composeYamlDocuments(text, "--live", "f.yaml") };
  } catch (error) {
    if (error instanceof InputFileError) return { refused: error.message };
    throw error;
  }
}

/** The texts on which the fast path answered differently from the `yaml` reader (it may always decline). */
function disagreements(texts: readonly string[]): { taken: number; wrong: string[] } {
  let taken = 0;
  const wrong: string[] = [];
  for (const text of texts) {
    const fast = readPlainYaml(text, MAX_YAML_DEPTH);
    if (fast === undefined) continue;
    taken++;
    const verdict = strictly(text);
    if (!("values" in verdict) || !isDeepStrictEqual(fast, verdict.values)) wrong.push(text);
  }
  return { taken, wrong };
}

/** A small deterministic generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

const TOKENS = [":", " ", "-", '"', "'", "#", "\t", "\n", "[", "]", "{", "}", ",", "|", ">", "?", "!", "&", "*", "%", "@", "`", "\\", "~", "null", "0x1", "1e3", ".5", "yes", "    ", "\r", "---", "...", "<<"];

/** `text` with a few edits where YAML is fragile: an indicator inserted, characters cut, a line re-indented or repeated. */
function mutate(text: string, next: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  let out = text;
  for (let edits = 1 + Math.floor(next() * 4); edits > 0; edits--) {
    const at = Math.floor(next() * out.length);
    const lines = out.split("\n");
    const line = Math.floor(next() * lines.length);
    const kind = next();
    if (kind < 0.3) out = out.slice(0, at) + pick(TOKENS) + out.slice(at);
    else if (kind < 0.55) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 3));
    else if (kind < 0.75) out = [...lines.slice(0, line), next() < 0.5 ? ` ${lines[line]}` : lines[line]!.replace(/^ /, ""), ...lines.slice(line + 1)].join("\n");
    else out = [...lines.slice(0, line), pick(lines), ...lines.slice(line)].join("\n");
  }
  return out;
}

test("on every fixture the fast path answers, with the values the yaml reader gives", (t) => {
  const texts = fixtureTexts();
  const { taken, wrong } = disagreements(texts);
  t.deepEqual(wrong, []);
  t.true(taken >= texts.length * 0.8, `the fast path read ${taken} of ${texts.length} fixtures`);
});

test("on thousands of broken and odd variants of the fixtures, it never accepts what the yaml reader refuses nor reads a value differently", (t) => {
  const texts = fixtureTexts();
  const next = random(11);
  const variants = Array.from({ length: 4000 }, () => {
    const text = texts[Math.floor(next() * texts.length)]!;
    const start = Math.floor(next() * Math.max(1, text.length - 2000));
    return mutate(next() < 0.5 ? text : text.slice(start, start + 2000), next);
  });
  const { taken, wrong } = disagreements(variants);
  t.deepEqual(wrong.slice(0, 3), [], `${wrong.length} of ${taken} variants read differently`);
  t.true(taken > 500, `the variants exercise the fast path (${taken} taken)`);
});

test("where the two parsers differ, the fast path declines and the yaml reader decides", (t) => {
  const cases: Array<[string, string]> = [
    ["~: a\nnull: b", "a key spelled null is '' to yaml, 'null' to js-yaml"],
    ['a: "b"#c', "a comment glued to a quote"],
    ['a: "b\\\nc"', "an escaped line break"],
    [`${"k".repeat(1030)}: v`, "an implicit key over 1,024 characters"],
    ["a: b\rc: d", "a lone carriage return"],
    ["%YAML 1.1\n---\na: yes", "a directive that changes the schema"],
    ["a: !!binary aGk=", "a tag"],
    ["a: &x 1\nb: *x", "an anchor and its alias"],
    ["? [a, b]\n: c", "a complex key"],
    ["[a]: b", "a flow collection as a key"],
  ];
  for (const [text, why] of cases) {
    t.is(readPlainYaml(text, MAX_YAML_DEPTH), undefined, why);
    const verdict = strictly(text);
    if ("values" in verdict) t.deepEqual(readYamlDocuments(text, "--live", "f.yaml"), verdict.values, why);
    else t.throws(() => readYamlDocuments(text, "--live", "f.yaml"), { instanceOf: InputFileError, message: verdict.refused }, why);
  }
});

test("scalars resolve as yaml's YAML 1.2 core schema resolves them, not as js-yaml's own", (t) => {
  const text = "a: 0x1F\nb: 0o17\nc: 1e3\nd: .5\ne: ~\nf: True\ng: yes\nh: 012\ni: 1_000\nj: -.inf\nk: '1'\nl: 2024-01-01\n<<: x\nm: 0b11\nn: .NaN\no:\n";
  const fast = readPlainYaml(text, MAX_YAML_DEPTH);
  t.deepEqual(fast, (strictly(text) as { values: unknown[] }).values);
  t.deepEqual(fast, [{ a: 31, b: 15, c: 1000, d: 0.5, e: null, f: true, g: "yes", h: 12, i: "1_000", j: -Infinity, k: "1", l: "2024-01-01", "<<": "x", m: "0b11", n: NaN, o: null }]);
});

test("nesting at the depth limit is read by both; one level deeper the fast path declines and the depth verdict stands", (t) => {
  for (const depth of [MAX_YAML_DEPTH - 1, MAX_YAML_DEPTH, MAX_YAML_DEPTH + 1, MAX_YAML_DEPTH + 2]) {
    const flow = `${"[".repeat(depth)}x${"]".repeat(depth)}`;
    const block = `${Array.from({ length: depth }, (_, i) => `${"  ".repeat(i)}k:`).join("\n")} x`;
    t.deepEqual(disagreements([flow, block]).wrong, [], `depth ${depth}`);
  }
  t.throws(() => readYamlDocuments(`${"[".repeat(MAX_YAML_DEPTH + 1)}${"]".repeat(MAX_YAML_DEPTH + 1)}`, "--live", "deep.yaml"), { instanceOf: InputFileError, message: /nests YAML deeper than 100 levels/ });
});
