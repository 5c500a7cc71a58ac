import { ClusterRole, type ParseProblem } from "./fleet";
import { durationSeconds } from "./duration";
import { lookup } from "./lookup";
import { absent, known, unknown, type Observed } from "./observed";
import { secretFacts, type SecretFacts } from "./secretFacts";

const PREVIEW_UNKNOWN = "not known until the deployment runs";

/**
 * Reads typed settings out of plain data, naming each one `<source>: <dotted.path>` and collecting what is wrong
 * into `problems`. Shared by the kubesphere.yaml, ClusterConfiguration and Helm-values parsers.
 */
export class SettingsReader {
  readonly problems: ParseProblem[] = [];
  constructor(
    private readonly data: unknown,
    readonly source: string,
  ) {}

  where(path: readonly string[]): string {
    return `${this.source}: ${path.join(".")}`;
  }

  raw(path: readonly string[]): Observed<unknown> {
    const found = lookup(this.data, path);
    const where = this.where(path);
    if (found.state === "known") return known(found.value, where);
    return found.state === "unknown" ? unknown(where, PREVIEW_UNKNOWN) : absent(where);
  }

  /** A jwtSecret; an empty string counts as absent (ks-installer and ks-core then keep or generate their own). */
  secret(path: readonly string[]): Observed<SecretFacts> {
    const value = this.raw(path);
    if (value.state !== "known") return value;
    if (typeof value.value !== "string" && typeof value.value !== "number") {
      this.problem(path, "is not a string");
      return absent(value.source);
    }
    const text = String(value.value);
    return text === "" ? absent(value.source) : known(secretFacts(text), value.source);
  }

  duration(path: readonly string[]): Observed<number> {
    const value = this.raw(path);
    if (value.state !== "known") return value;
    const seconds = durationSeconds(value.value);
    if (seconds === undefined) {
      this.problem(path, "is not a Go duration such as 0, 0s, 10s or 2h");
      return absent(value.source);
    }
    return known(seconds, value.source);
  }

  role(path: readonly string[]): Observed<ClusterRole> {
    const value = this.raw(path);
    if (value.state !== "known") return value;
    const text = String(value.value);
    if (text === "") return absent(value.source);
    if (text === ClusterRole.host || text === ClusterRole.member || text === ClusterRole.none) return known(text, value.source);
    this.problem(path, `is '${text}'; it must be host, member or none`);
    return absent(value.source);
  }

  problem(path: readonly string[], message: string): void {
    this.problems.push({ source: this.source, where: path.join("."), message: `${path.join(".")} ${message}` });
  }
}
