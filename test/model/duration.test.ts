import test from "ava";
import { durationSeconds, formatDuration } from "../../src/model/duration";

const cases: [unknown, number | undefined][] = [
  [0, 0],
  ["0", 0],
  ["0s", 0],
  ["2h", 7200],
  ["10m0s", 600],
  ["1h30m", 5400],
  ["1.5h", 5400],
  ["300ms", 0.3],
  [7200, 7.2e-6],
  ["forever", undefined],
  ["", undefined],
  [true, undefined],
];
for (const [input, expected] of cases) {
  test(`reads ${JSON.stringify(input)} as ${expected} seconds`, (t) => {
    const got = durationSeconds(input);
    if (expected === undefined) t.is(got, undefined);
    else t.true(Math.abs(got! - expected) < 1e-12);
  });
}

test("prints durations the way Go does", (t) => {
  t.is(formatDuration(0), "0");
  t.is(formatDuration(7200), "2h");
  t.is(formatDuration(5410), "1h30m10s");
});
