/**
 * A bounded memo for pure functions of plain data. The policy server hands every stack policy its own copy of the
 * stack's resources, so without this each of the pack's policies would parse every kubesphere.yaml and kubeconfig
 * again; with it one AnalyzeStack parses each distinct text once. Entries are dropped all at once past `limit`.
 * Keys hold the inputs (which may include secrets) in this process's memory only, as the inputs themselves do.
 */
export function memoize<A extends unknown[], R>(fn: (...args: A) => R, key: (...args: A) => string, limit = 4096): (...args: A) => R {
  const cache = new Map<string, R>();
  return (...args: A) => {
    const k = key(...args);
    const hit = cache.get(k);
    if (hit !== undefined || cache.has(k)) return hit as R;
    const value = fn(...args);
    if (cache.size >= limit) cache.clear();
    cache.set(k, value);
    return value;
  };
}
