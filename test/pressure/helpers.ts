// Test helpers for the pressure tests: a fake clock with timers, recorded-file readers, fake shrinkers.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  PressureLevel,
  PressureSample,
  PressureSource,
  PressureTimers,
  ReadFile,
} from '../../src/index.js';
import { okSample } from '../../src/internals.js';
import { SHRINK_STOP, type ShrinkControl, type Shrinker } from '../../src/shrinker/shrinker.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Contents of a recorded file under test/pressure/fixtures. */
export function fixture(name: string): string {
  return readFileSync(join(here, 'fixtures', name), 'latin1');
}

/** An error like the one `fs` throws, with a `code`. */
export function fsError(code: string): Error {
  const e = new Error(`${code}: simulated`) as Error & { code: string };
  e.code = code;
  return e;
}

/**
 * A ReadFile over a map: strings are contents, Errors are thrown, absent paths are missing.
 * `reads` counts every read by path.
 */
export function files(map: Record<string, string | Error>): ReadFile & { reads: Map<string, number> } {
  const reads = new Map<string, number>();
  const fn = ((path: string) => {
    reads.set(path, (reads.get(path) ?? 0) + 1);
    const v = map[path];
    if (v === undefined) return null;
    if (v instanceof Error) throw v;
    return v;
  }) as ReadFile & { reads: Map<string, number> };
  fn.reads = reads;
  return fn;
}

interface Pending {
  id: number;
  at: number;
  fn: () => void;
  unrefd: boolean;
}

/** A fake clock and timers: time moves only through `advance`. */
export class FakeClock implements PressureTimers {
  t = 0;
  private seq = 0;
  pending: Pending[] = [];
  readonly now = (): number => this.t;

  setTimeout(fn: () => void, ms: number): unknown {
    const p: Pending = { id: ++this.seq, at: this.t + ms, fn, unrefd: false };
    this.pending.push(p);
    return {
      id: p.id,
      unref() {
        p.unrefd = true;
      },
    };
  }

  clearTimeout(handle: unknown): void {
    const id = (handle as { id: number }).id;
    this.pending = this.pending.filter((p) => p.id !== id);
  }

  /** Moves time forward by `ms`, firing due timers in order; awaits microtasks after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      this.pending.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.pending[0];
      if (next === undefined || next.at > end) break;
      this.pending.shift();
      this.t = next.at;
      next.fn();
      await flush();
    }
    this.t = end;
    await flush();
  }
}

/** Lets queued promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** A source whose next levels are set by the test. */
export class ScriptedSource implements PressureSource {
  level: PressureLevel = 'none';
  reclaimBytes = 0;
  calls = 0;
  constructor(readonly name = 'scripted') {}
  sample(now: number): PressureSample {
    this.calls++;
    return okSample(
      this.name,
      now,
      this.level,
      `scripted ${this.level}`,
      { calls: this.calls },
      this.reclaimBytes,
    );
  }
}

/**
 * A shrinker with `freeable` objects of `unitBytes`; `scan` frees up to nrToScan of them (sync and
 * async) and records every call's priority. `usage` = freeable × unitBytes + `fixedBytes`.
 */
export class FakeShrinker implements Shrinker {
  readonly seeks = 2;
  readonly batch = 0;
  scans: { priority: number; nrToScan: number; async: boolean }[] = [];
  scanDelayMs = 0;
  fixedBytes = 0;
  throwOnScan = false;
  constructor(
    readonly name: string,
    public freeable: number,
    readonly unitBytes = 4096,
  ) {}
  count(_sc: ShrinkControl): number {
    return this.freeable;
  }
  scan(sc: ShrinkControl): number {
    this.scans.push({ priority: sc.priority, nrToScan: sc.nrToScan, async: false });
    return this.take(sc.nrToScan);
  }
  async scanAsync(sc: ShrinkControl): Promise<number> {
    this.scans.push({ priority: sc.priority, nrToScan: sc.nrToScan, async: true });
    if (this.throwOnScan) throw new Error('scan failed');
    if (this.scanDelayMs > 0) await new Promise((r) => setTimeout(r, this.scanDelayMs));
    else await Promise.resolve();
    return this.take(sc.nrToScan);
  }
  usageBytes(): number {
    return this.freeable * this.unitBytes + this.fixedBytes;
  }
  private take(n: number): number {
    if (this.freeable === 0) return SHRINK_STOP;
    const k = Math.min(n, this.freeable);
    this.freeable -= k;
    return k;
  }
}
