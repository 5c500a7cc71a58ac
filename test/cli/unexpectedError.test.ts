/**
 * An unexpected error (a bug, a broken terminal) prints its name and first line and exits 1, with no stack trace
 * unless `--debug` is given: a stack trace is noise to a user, and a later line of a message may quote a credential.
 */
import test from "ava";
import { run as audit } from "../../src/cli/audit";
import { unexpected } from "../../src/cli/exitCodes";

const STACK_TRACE = /\n\s+at .*:\d+:\d+\)?/;

/** An environment whose every read throws, as a bug deep in argument handling would. */
const brokenEnv = new Proxy({} as NodeJS.ProcessEnv, {
  get: () => {
    throw new TypeError("environment unavailable\nsecond line that may quote something");
  },
});

test("the audit prints an unexpected error's first line and asks for --debug; --debug prints the stack", async (t) => {
  const plain = await audit(["--context", "host"], brokenEnv, false);
  t.is(plain.code, 1);
  t.regex(plain.stderr, /^audit: internal error: TypeError: environment unavailable\. Run again with --debug for the stack trace/);
  t.notRegex(plain.stderr, STACK_TRACE);
  t.false(plain.stderr.includes("second line"));
  const debug = await audit(["--context", "host", "--debug"], brokenEnv, false);
  t.is(debug.code, 1);
  t.regex(debug.stderr, STACK_TRACE);
});

test("what is thrown that is not an Error is named by its type only", (t) => {
  t.regex(unexpected("token-like text", false), /^error\. Run again with --debug/);
  t.false(unexpected({ token: "x" }, true).includes("x\""));
});
