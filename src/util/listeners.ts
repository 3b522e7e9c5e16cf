/**
 * Listeners: the smallest typed event API that runs everywhere (no `node:events`, no DOM
 * `EventTarget`): add a function, get back a function that removes it; `emit` calls every
 * listener with the event and swallows what they throw, so a faulty listener cannot stop a
 * monitor or a reclaim. Used by the pressure monitor and the shrinker registry.
 */

/** A set of listeners for events of type `E`. */
export class Listeners<E> {
  private fns: ((event: E) => void)[] = [];

  /** Adds `fn`; returns a function that removes it (calling it twice is harmless). */
  add(fn: (event: E) => void): () => void {
    this.fns.push(fn);
    return () => {
      const i = this.fns.indexOf(fn);
      if (i >= 0) this.fns.splice(i, 1);
    };
  }

  /** Number of listeners. */
  get size(): number {
    return this.fns.length;
  }

  /** Calls every listener with `event`, in the order they were added; errors are swallowed. */
  emit(event: E): void {
    if (this.fns.length === 0) return;
    for (const fn of this.fns.slice()) {
      try {
        fn(event);
      } catch {
        // A listener's failure must not break its emitter (a monitor, a reclaim).
      }
    }
  }
}
