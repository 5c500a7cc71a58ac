/**
 * Remembers the results of a pure function of text (and a short context string), so the same kubesphere.yaml or
 * kubeconfig is parsed once however many times it is read: the policy SDK hands every policy its own copy of the
 * same resources, and each policy reads them. Results are shared, so they must be treated as read-only.
 *
 * Bounded by two generations: when the current one holds `capacity` entries it becomes the previous one and the
 * oldest is dropped, so memory stays under 2 × capacity entries while a working set of up to `capacity` texts
 * (one per cluster and kind of object) stays cached. A pure function of its arguments needs no invalidation.
 */
export class TextMemo<T> {
  private current = new Map<string, Map<string, T>>();
  private previous = new Map<string, Map<string, T>>();
  private size = 0;

  constructor(private readonly capacity = 20_000) {}

  get(context: string, text: string, compute: () => T): T {
    const hit = this.current.get(context)?.get(text);
    if (hit !== undefined) return hit;
    const old = this.previous.get(context)?.get(text);
    const value = old !== undefined ? old : compute();
    this.remember(context, text, value);
    return value;
  }

  private remember(context: string, text: string, value: T): void {
    if (this.size >= this.capacity) {
      this.previous = this.current;
      this.current = new Map();
      this.size = 0;
    }
    let texts = this.current.get(context);
    if (!texts) {
      texts = new Map();
      this.current.set(context, texts);
    }
    texts.set(text, value);
    this.size++;
  }
}
