/**
 * A setting as one source states it. `unknown` is a value that cannot be read yet (a preview unknown, a secret
 * that cannot be decrypted); `absent` is a source that was read and does not set the key.
 */
export type Observed<T> =
  | { readonly state: "known"; readonly value: T; readonly source: string }
  | { readonly state: "unknown"; readonly source: string; readonly reason: string }
  | { readonly state: "absent"; readonly source: string };

export const known = <T>(value: T, source: string): Observed<T> => ({ state: "known", value, source });
export const unknown = <T>(source: string, reason: string): Observed<T> => ({ state: "unknown", source, reason });
export const absent = <T>(source: string): Observed<T> => ({ state: "absent", source });

/** The known values of a list of observations, in order. */
export function knownValues<T>(observations: readonly Observed<T>[]): T[] {
  const values: T[] = [];
  for (const o of observations) if (o.state === "known") values.push(o.value);
  return values;
}
