/**
 * The answer of a demo run in a few figures: what was stored and how well it compressed, what
 * the churn left freeable, the budget, the memory the shrinkers gave back and how fast, RSS
 * before and after, and the read-back check. `zsmalloc demo` prints it last, and `--json` prints
 * it as it is (every key camelCase, every size in bytes, every time in milliseconds; documented
 * in docs/cli.md).
 */
import type { DemoResult } from './types.js';

/** The figures `zsmalloc demo --json` prints. */
export interface DemoSummary {
  /** The data read: where from, how many files and bytes, files that could not be read. */
  data: { source: 'node' | 'dir'; roots: string[]; files: number; bytes: number; skippedFiles: number };
  /**
   * After the fill: the data as written and as stored, per component and in all. `logicalBytes`
   * counts whole pages on the zram side (a file's last page is zero-padded), so it exceeds
   * `data.bytes` a little; `ratio` is `logicalBytes / storedBytes`, as zram's mm_stat reports it.
   */
  stored: {
    logicalBytes: number;
    storedBytes: number;
    ratio: number;
    zram: {
      codec: string;
      pages: number;
      logicalBytes: number;
      storedBytes: number;
      samePages: number;
      hugePages: number;
    };
    store: { codec: string; values: number; logicalBytes: number; storedBytes: number };
  };
  /** After the churn: what was removed, the pool pages compaction could free, RSS. */
  churn: { pagesDiscarded: number; valuesDeleted: number; freeablePages: number };
  /** The pressure phase (null when the pools held nothing to reclaim). */
  pressure: {
    /** Bytes the pools had committed when the budget was lowered. */
    footprintBytes: number;
    /** The budget it was lowered to. */
    budgetBytes: number;
    /** Whether the level went back to none before the timeout, and how long after. */
    settled: boolean;
    settleMs: number | null;
    /** Reclaims that ran shrinker passes, the passes, and their time added up. */
    reclaims: number;
    shrinkerPasses: number;
    reclaimMs: number;
    /** Bytes the pools gave back to the OS. */
    bytesReturned: number;
    /** Pool bytes committed before and after. */
    poolBytesBefore: number;
    poolBytesAfter: number;
    /** Compactions run, and those not started by a shrinker scan (0: the demo never compacts). */
    compactions: number;
    compactionsNotByShrinker: number;
  } | null;
  /** Resident set size of the process (bytes) and where it was read. */
  rss: { source: 'statm' | 'memoryUsage'; start: number; peak: number; before: number; after: number };
  /** Everything still held, read back and compared with its checksum. */
  verify: { pages: number; values: number; mismatches: number };
  /** Milliseconds per phase and in all. */
  timingsMs: { fill: number; churn: number; pressure: number; verify: number; total: number };
}

/** The summary of a run's result. */
export function summarize(r: DemoResult): DemoSummary {
  const { filled: f, churned: c, reclaimed: x } = r.snapshots;
  const logical = f.mmStat.orig_data_size + f.store.logical_bytes;
  const stored = f.mmStat.compr_data_size + f.store.stored_bytes;
  const ran = r.reclaims.filter((e) => e.passes > 0);
  const compactions = r.compactions.reduce((a, k) => a + k.compactCalls, 0);
  const byShrinker = r.compactions.reduce((a, k) => a + k.shrinkerScans, 0);
  return {
    data: {
      source: r.data.source,
      roots: r.data.roots,
      files: r.data.files,
      bytes: r.data.bytes,
      skippedFiles: r.data.skipped.length,
    },
    stored: {
      logicalBytes: logical,
      storedBytes: stored,
      ratio: round(logical / Math.max(1, stored), 3),
      zram: {
        codec: r.zram.codec,
        pages: r.zram.pagesWritten,
        logicalBytes: f.mmStat.orig_data_size,
        storedBytes: f.mmStat.compr_data_size,
        samePages: f.mmStat.same_pages,
        hugePages: f.mmStat.huge_pages,
      },
      store: {
        codec: r.store.codec,
        values: r.store.entriesWritten,
        logicalBytes: f.store.logical_bytes,
        storedBytes: f.store.stored_bytes,
      },
    },
    churn: {
      pagesDiscarded: r.zram.pagesDiscarded,
      valuesDeleted: r.store.entriesDeleted,
      freeablePages: c.pools.zram.freeable_total + c.pools.store.freeable_total,
    },
    pressure: r.budget && {
      footprintBytes: r.budget.footprintBytes,
      budgetBytes: r.budget.limitBytes,
      settled: r.settled,
      settleMs: r.settleMs === null ? null : round(r.settleMs, 1),
      reclaims: ran.length,
      shrinkerPasses: r.passes.filter((p) => p.t >= (r.budget?.setAt ?? 0)).length,
      reclaimMs: round(
        ran.reduce((a, e) => a + e.durationMs, 0),
        1,
      ),
      bytesReturned: r.bytesReturned,
      poolBytesBefore: c.committed,
      poolBytesAfter: x.committed,
      compactions,
      compactionsNotByShrinker: compactions - byShrinker,
    },
    rss: { ...r.rss },
    verify: { pages: r.verify.pages, values: r.verify.entries, mismatches: r.verify.mismatches },
    timingsMs: {
      fill: round(r.timings.fillMs, 1),
      churn: round(r.timings.churnMs, 1),
      pressure: round(r.timings.pressureMs, 1),
      verify: round(r.timings.verifyMs, 1),
      total: round(r.timings.totalMs, 1),
    },
  };
}

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}
