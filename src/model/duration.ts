/**
 * Go `time.Duration` as KubeSphere reads it from kubesphere.yaml, in seconds. A bare number is what Go's decoder
 * takes as nanoseconds, so `0` is zero and `7200` is 7.2 microseconds; strings use Go's unit syntax (`2h`, `10m0s`).
 * Returns undefined for text that is not a duration.
 */
export function durationSeconds(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value / 1e9;
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (/^[-+]?\d+$/.test(text)) return Number(text) / 1e9;
  if (text === "0") return 0;
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, "µs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  const match = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(text);
  if (!match) return undefined;
  let total = 0;
  for (const part of text.replace(/^[-+]/, "").matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(part[1]) * unit[part[2]!]!;
  }
  return match[1] === "-" ? -total : total;
}

/** A duration in seconds, written the way Go prints it (`2h0m0s` becomes `2h`, `0` stays `0`). */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return "0";
  const sign = seconds < 0 ? "-" : "";
  let rest = Math.abs(seconds);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest -= m * 60;
  const s = Math.round(rest * 1e9) / 1e9;
  return sign + [h ? `${h}h` : "", m ? `${m}m` : "", s ? `${s}s` : ""].join("");
}
