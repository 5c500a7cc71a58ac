// Preloaded by the check benchmark (NODE_OPTIONS=--require …) into every node process of one `npm run check`:
// each appends one JSON line { argv, maxRssBytes } to $BENCH_MAX_RSS_FILE as it exits, so the report can give the
// check's own peak RSS and the policy pack's. Plain JavaScript: it loads before anything could compile TypeScript.
"use strict";
const { appendFileSync } = require("node:fs");

const file = process.env.BENCH_MAX_RSS_FILE;
if (file) {
  let recorded = false;
  const record = () => {
    if (recorded) return;
    recorded = true;
    appendFileSync(file, `${JSON.stringify({ argv: process.argv.slice(1), maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
  };
  process.once("exit", record);
  // The check stops its pack with SIGTERM, which ends a process without "exit": record, then end as SIGTERM would.
  process.once("SIGTERM", () => {
    record();
    process.exit(143);
  });
}
