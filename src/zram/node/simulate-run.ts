/**
 * simulateZram: runs the zram simulator over page sources for several algorithms × profiles
 * (Node only). The sources are read once, in chunks, on the calling thread; with more than one
 * algorithm each runs on its own worker thread (every worker gets a copy of each chunk, at most
 * a few chunks ahead), so the algorithms run in parallel on the same pages.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ZsError, ZsErrorCode } from '../../errors.js';
import type { ProfileName } from '../../pool/profiles.js';
import { ZramSimGroup, type ZramSimReport, type ZramSimSkipped } from '../simulate.js';
import type { PageSourceInfo } from './sources.js';

/** Options of {@link simulateZram}. */
export interface SimulateOptions {
  /** Where the pages come from, in order. */
  sources: PageSourceInfo[];
  /** Algorithms (registered codec names). */
  algorithms: string[];
  /** Pool profiles. */
  profiles: ProfileName[];
  /** Run algorithms on worker threads (default: when there is more than one). */
  workers?: boolean;
  /** Called after each chunk with the pages read so far and the expected total. */
  onProgress?: (pages: number, total: number) => void;
}

/** A source as read. */
export interface SimulatedSource {
  /** `file PATH` or `pid N (comm)`. */
  label: string;
  /** Pages read from it. */
  pages: number;
  /** Regions that could not be read. */
  skipped_regions: number;
  /** Pages in them. */
  skipped_pages: number;
  /** True when the process exited while it was being read. */
  exited?: boolean;
}

/** Everything {@link simulateZram} found. */
export interface SimulationResult {
  /** The sources. */
  sources: SimulatedSource[];
  /** Pages written to every device. */
  pages: number;
  /** One report per algorithm × profile that ran, in the order asked. */
  reports: ZramSimReport[];
  /** Algorithm × profile pairs the kernel would refuse. */
  skipped: ZramSimSkipped[];
  /** Wall time of the whole run, ms. */
  elapsed_ms: number;
}

/** How many chunks a worker may be behind the reader. */
const WINDOW = 4;

interface Lane {
  feed(chunk: Uint8Array): Promise<void>;
  finish(): Promise<{ reports: ZramSimReport[]; skipped: ZramSimSkipped[] }>;
  close(): Promise<void>;
}

function inlineLane(algorithm: string, profiles: ProfileName[], capacity: number): Lane {
  const g = new ZramSimGroup(algorithm, profiles, capacity);
  return {
    feed: async (chunk) => g.add(chunk),
    finish: async () => ({ reports: g.finish(), skipped: g.skipped }),
    close: async () => g.destroy(),
  };
}

function workerLane(algorithm: string, profiles: ProfileName[], capacity: number): Lane {
  const w = startWorker({ algorithm, profiles, capacity });
  let inFlight = 0;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  let done: ((v: { reports: ZramSimReport[]; skipped: ZramSimSkipped[] }) => void) | null = null;
  const fail = (e: Error) => {
    failure = e;
    wake?.();
    wake = null;
  };
  w.on(
    'message',
    (m: { ack?: boolean; error?: string; reports?: ZramSimReport[]; skipped?: ZramSimSkipped[] }) => {
      if (m.ack) {
        inFlight--;
        wake?.();
        wake = null;
      } else if (m.error !== undefined) {
        fail(new ZsError(ZsErrorCode.CODEC, `${algorithm}: ${m.error}`));
      } else if (m.reports) {
        done?.({ reports: m.reports, skipped: m.skipped ?? [] });
      }
    },
  );
  w.on('error', (e) => fail(e));
  const check = () => {
    if (failure) {
      void w.terminate();
      throw failure;
    }
  };
  return {
    async feed(chunk) {
      check();
      while (inFlight >= WINDOW) {
        await new Promise<void>((r) => {
          wake = r;
        });
        check();
      }
      inFlight++;
      const copy = chunk.slice();
      w.postMessage({ chunk: copy }, [copy.buffer]);
    },
    async finish() {
      check();
      const r = await new Promise<{ reports: ZramSimReport[]; skipped: ZramSimSkipped[] }>(
        (resolve, reject) => {
          done = resolve;
          wake = () => failure && reject(failure);
          w.postMessage({ end: true });
        },
      );
      await w.terminate();
      return r;
    },
    async close() {
      await w.terminate();
    },
  };
}

/**
 * Starts sim-worker: the compiled `.js` beside this file, or, when running from the TypeScript
 * sources (tests, `tsx`), the `.ts` through tsx's loader registered inside the worker.
 */
function startWorker(workerData: unknown): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./sim-worker.js', import.meta.url), { workerData });
  const url = new URL('./sim-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(url)}); });`;
  return new Worker(boot, { eval: true, workerData });
}

/** Runs the simulation; see the file comment. */
export async function simulateZram(options: SimulateOptions): Promise<SimulationResult> {
  const t0 = performance.now();
  const total = options.sources.reduce((s, src) => s + src.pages, 0);
  const capacity = Math.max(1, total);
  const useWorkers = options.workers ?? (options.algorithms.length > 1 && availableParallelism() > 1);
  const lanes = options.algorithms.map((a) =>
    useWorkers ? workerLane(a, options.profiles, capacity) : inlineLane(a, options.profiles, capacity),
  );
  let pages = 0;
  const sources: SimulatedSource[] = [];
  try {
    for (const src of options.sources) {
      let n = 0;
      for (const chunk of src.chunks()) {
        n += chunk.length / 4096;
        for (const lane of lanes) await lane.feed(chunk);
        pages += chunk.length / 4096;
        options.onProgress?.(pages, total);
      }
      sources.push({
        label: src.label,
        pages: n,
        skipped_regions: src.skippedRegions,
        skipped_pages: src.skippedPages,
        ...((src as { exited?: boolean }).exited ? { exited: true } : {}),
      });
    }
    const reports: ZramSimReport[] = [];
    const skipped: ZramSimSkipped[] = [];
    for (const lane of lanes) {
      const r = await lane.finish();
      reports.push(...r.reports);
      skipped.push(...r.skipped);
    }
    return { sources, pages, reports, skipped, elapsed_ms: performance.now() - t0 };
  } catch (e) {
    await Promise.allSettled(lanes.map((l) => l.close()));
    throw e;
  }
}
