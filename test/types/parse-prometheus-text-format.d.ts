/** Types for the parts of parse-prometheus-text-format (which ships none) that the tests use. */
declare module "parse-prometheus-text-format" {
  interface ParsedSample {
    readonly labels?: Readonly<Record<string, string>>;
    readonly value: string;
  }
  interface ParsedFamily {
    readonly name: string;
    readonly help: string;
    readonly type: "GAUGE" | "COUNTER" | "SUMMARY" | "HISTOGRAM" | "UNTYPED";
    readonly metrics: readonly ParsedSample[];
  }
  function parsePrometheusTextFormat(text: string): ParsedFamily[];
  export = parsePrometheusTextFormat;
}
