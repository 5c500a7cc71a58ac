/**
 * The pack and the program use only their dependencies' public API: no file under src/, policies/ or provider/ (the compiled
 * pack in policies/bin included) assigns to a prototype or to a dependency's module exports, and none reads the policy
 * SDK proxy's private keys. A future SDK release must not be able to break the pack silently in users' pipelines.
 */
import test from "ava";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import ts from "typescript";

const ROOT = resolve(__dirname, "..", "..");
const SCANNED = ["src", "policies", "provider"];
/** Keys of @pulumi/policy's unknown-checking proxy that are not part of its API. */
const PRIVATE_KEYS = ["__getSpecialProxyTarget", "__isSpecialProxy"];
/** Calls that write to their first argument's properties or prototype. */
const WRITING_CALLS = new Set(["Object.defineProperty", "Object.defineProperties", "Object.assign", "Object.setPrototypeOf", "Reflect.set", "Reflect.defineProperty", "Reflect.setPrototypeOf"]);

function sourceFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules") continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|js|cjs|mjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

const isDependency = (specifier: string) => !specifier.startsWith(".") && !specifier.startsWith("/");

function requiredModule(node: ts.Node | undefined): string | undefined {
  while (node && (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isTypeAssertionExpression(node))) node = node.expression;
  if (!node || !ts.isCallExpression(node) || !ts.isIdentifier(node.expression) || node.expression.text !== "require") return undefined;
  const [arg] = node.arguments;
  return arg && ts.isStringLiteralLike(arg) ? arg.text : undefined;
}

/** Names bound to a dependency's module or to one of its exports: `import … from "dep"`, `const x = require("dep")`. */
function dependencyBindings(file: ts.SourceFile): Map<string, string> {
  const bindings = new Map<string, string>();
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && isDependency(node.moduleSpecifier.text)) {
      const clause = node.importClause;
      if (clause?.name) bindings.set(clause.name.text, node.moduleSpecifier.text);
      const named = clause?.namedBindings;
      if (named && ts.isNamespaceImport(named)) bindings.set(named.name.text, node.moduleSpecifier.text);
      if (named && ts.isNamedImports(named)) for (const element of named.elements) bindings.set(element.name.text, node.moduleSpecifier.text);
    }
    if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      if (isDependency(node.moduleReference.expression.text)) bindings.set(node.name.text, node.moduleReference.expression.text);
    }
    if (ts.isVariableDeclaration(node)) {
      const module = requiredModule(node.initializer);
      if (module && isDependency(module)) {
        if (ts.isIdentifier(node.name)) bindings.set(node.name.text, module);
        else for (const element of node.name.elements) if (ts.isBindingElement(element) && ts.isIdentifier(element.name)) bindings.set(element.name.text, module);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return bindings;
}

/** What a written expression is: through `.prototype`, or rooted in a dependency binding or a `require("dep")`. */
function writtenTarget(target: ts.Expression, bindings: ReadonlyMap<string, string>): string | undefined {
  let node: ts.Expression = target;
  let throughPrototype = false;
  for (;;) {
    while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node) || ts.isTypeAssertionExpression(node)) node = node.expression;
    if (ts.isPropertyAccessExpression(node)) {
      if (node.name.text === "prototype") throughPrototype = true;
      node = node.expression;
    } else if (ts.isElementAccessExpression(node)) {
      if (ts.isStringLiteralLike(node.argumentExpression) && node.argumentExpression.text === "prototype") throughPrototype = true;
      node = node.expression;
    } else break;
  }
  if (throughPrototype) return "a prototype";
  if (ts.isIdentifier(node) && bindings.has(node.text) && node !== target) return `an export of '${bindings.get(node.text)}'`;
  const module = requiredModule(node);
  if (module && isDependency(module) && node !== target) return `an export of '${module}'`;
  return undefined;
}

/** Every place the source text assigns to a prototype or a dependency's exports, or reads a private proxy key. */
export function privateApiUses(fileName: string, text: string): string[] {
  const file = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, fileName.endsWith(".ts") ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const bindings = dependencyBindings(file);
  const found: string[] = [];
  const at = (node: ts.Node, what: string) => found.push(`${fileName}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}: ${what}: ${node.getText(file).split("\n")[0]}`);
  const visit = (node: ts.Node): void => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const what = writtenTarget(node.left, bindings);
      if (what) at(node, `assigns to ${what}`);
    }
    if (ts.isDeleteExpression(node)) {
      const what = writtenTarget(node.expression, bindings);
      if (what) at(node, `deletes from ${what}`);
    }
    if (ts.isCallExpression(node) && WRITING_CALLS.has(node.expression.getText(file)) && node.arguments[0]) {
      const first = node.arguments[0];
      const what = writtenTarget(first, bindings) ?? (ts.isIdentifier(first) && bindings.has(first.text) ? `the module '${bindings.get(first.text)}'` : undefined);
      if (what) at(node, `writes to ${what}`);
    }
    if ((ts.isStringLiteralLike(node) || ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) && PRIVATE_KEYS.some((key) => node.getText(file).includes(key))) {
      at(node, "reads a private key of the policy SDK's proxy");
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

test("no file under src/, policies/ or provider/ patches a dependency or reads the policy SDK's private proxy keys", (t) => {
  const files = SCANNED.flatMap((dir) => sourceFiles(join(ROOT, dir)));
  t.true(files.some((f) => f.endsWith(join("policies", "rulePolicy.ts"))));
  t.true(files.some((f) => f.includes(join("policies", "bin"))), "the compiled pack is scanned too (npm test builds it first)");
  const uses = files.flatMap((f) => privateApiUses(relative(ROOT, f), readFileSync(f, "utf8")));
  t.deepEqual(uses, []);
});

test("the scan finds the patches this pack used to make, in TypeScript and in compiled JavaScript", (t) => {
  const patchedTs = `
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as policy from "@pulumi/policy";
const sdk = require("@pulumi/policy/deserialize") as { deserializeProperties: unknown };
const convert = Struct.prototype.toJavaScript;
Struct.prototype.toJavaScript = function () { return convert.call(this); };
sdk.deserializeProperties = () => ({});
(policy as any).PolicyPack = class {};
Object.defineProperty(policy, "x", { value: 1 });
require("@pulumi/pulumi").runtime = {};
const target = (props as any)["__getSpecialProxyTarget"];
`;
  const uses = privateApiUses("patched.ts", patchedTs);
  t.is(uses.length, 6, uses.join("\n"));
  t.true(uses.some((u) => u.includes("Struct.prototype.toJavaScript =")));
  t.true(uses.some((u) => u.includes("'@pulumi/policy/deserialize'")));
  t.true(uses.some((u) => u.includes("__getSpecialProxyTarget")));
  const compiled = `"use strict";
const struct_pb_1 = require("google-protobuf/google/protobuf/struct_pb");
struct_pb_1.Struct.prototype.toJavaScript = function () {};
const { x } = require("@pulumi/policy"); x.y = 1;
const PROXY_TARGET_KEY = "__getSpecialProxyTarget";
`;
  t.is(privateApiUses("patched.js", compiled).length, 3, privateApiUses("patched.js", compiled).join("\n"));
});

test("the scan leaves a pack's own data alone", (t) => {
  const clean = `
import { Secret } from "@pulumi/policy";
import { readFileSync } from "node:fs";
const copy: Record<string, unknown> = {};
copy["a"] = readFileSync("x");
let props = { data: {} as Record<string, unknown> };
props.data["kubesphere.yaml"] = "text";
const secret = new Secret(1);
process.exitCode = 1;
`;
  t.deepEqual(privateApiUses("clean.ts", clean), []);
});
