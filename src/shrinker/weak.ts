/**
 * Weakly held shrinkers: how a pool, store or cache registers without being kept alive by the
 * registry, so that one dropped without `destroy()` is garbage-collected with its memory.
 *
 * The registry holds a small {@link WeakShrinker} that reaches the real shrinker through a
 * `WeakRef`; the owner (pool, cache) holds the real shrinker, which holds the owner, so the pair is
 * collectable once nothing else refers to it. From then on the stand-in counts 0, scans nothing and
 * reports no usage, and a `FinalizationRegistry` removes it from the registry soon after.
 */
import { SHRINK_STOP, type ShrinkControl, type Shrinker } from './shrinker.js';

/** @internal A registry's stand-in for a shrinker it holds weakly; see the file comment. */
export class WeakShrinker implements Shrinker {
  readonly name: string;
  readonly seeks: number;
  readonly batch: number;
  private readonly ref: WeakRef<Shrinker>;
  scanAsync?: (sc: ShrinkControl) => Promise<number>;
  usageBytes?: () => number;

  constructor(target: Shrinker) {
    this.name = target.name;
    this.seeks = target.seeks;
    this.batch = target.batch;
    this.ref = new WeakRef(target);
    if (typeof target.scanAsync === 'function') {
      this.scanAsync = (sc) => {
        const t = this.ref.deref();
        return t?.scanAsync ? t.scanAsync(sc) : Promise.resolve(SHRINK_STOP);
      };
    }
    if (typeof target.usageBytes === 'function') {
      this.usageBytes = () => this.ref.deref()?.usageBytes?.() ?? 0;
    }
  }

  /** The real shrinker, or undefined once it has been collected. */
  get target(): Shrinker | undefined {
    return this.ref.deref();
  }

  get unitBytes(): number {
    return this.ref.deref()?.unitBytes ?? 1;
  }

  count(sc: ShrinkControl): number {
    return this.ref.deref()?.count(sc) ?? 0;
  }

  scan(sc: ShrinkControl): number {
    const t = this.ref.deref();
    return t === undefined ? SHRINK_STOP : t.scan(sc);
  }
}
