/**
 * Pool statistics: the shapes returned by `ZsPool.stats()` and the per-class rows.
 *
 * Field names are the kernel's (debugfs `classes` columns, `zs_pool_stats`), in snake_case, so a
 * snapshot can be compared field by field with a real kernel's (`test/fixtures/oracle`).
 */
import type { CompactionHost, Compactor } from './compaction.js';
import type { ClassTable } from './size-class.js';

/** One real class with at least one zspage, as the kernel's debugfs `classes` row. */
export interface ClassStats {
  /** Class index. */
  class: number;
  /** Slot size. */
  size: number;
  /** Slots per zspage. */
  objs_per_zspage: number;
  /** Pages per zspage. */
  pages_per_zspage: number;
  /** Slots in existing zspages. */
  obj_allocated: number;
  /** Live objects. */
  obj_used: number;
  /** Pages held by the class's zspages. */
  pages_used: number;
  /** `zs_can_compact`: pages compaction would free in this class. */
  freeable: number;
  /** Zspages of the class. */
  zspages: number;
  /** Zspages per fullness group (index = group, names in `PoolStats.fullness_names`). */
  fullness: number[];
  /** Zspages by number of live objects: `{ inuse: zspages }`. */
  inuse_hist: Record<string, number>;
}

/** Pool-wide figures; see `ZsPool.stats()`. */
export interface PoolStats {
  /** Pool name. */
  name: string;
  /** Profile followed. */
  profile: string;
  /** Bytes per page. */
  page_size: number;
  /** `zs_get_total_pages`: pages held by zspages. */
  total_pages: number;
  /** Pages freed by compaction since creation (`zs_pool_stats`). */
  pages_compacted: number;
  /** Σ `zs_can_compact` over classes: what the kernel's shrinker `count` returns. */
  freeable_total: number;
  /** Live objects. */
  live_objects: number;
  /** Σ sizes of live objects. */
  live_bytes: number;
  /** Requests of at least this many bytes land in a huge class. */
  huge_class_size: number;
  /** Compactions run (manual and shrinker-driven). */
  compact_calls: number;
  /** Objects moved by compaction since creation. */
  objects_migrated: number;
  /** Bytes moved by compaction since creation. */
  bytes_migrated: number;
  /** Live zspages. */
  zspages: number;
  /** Pages committed in the arenas (≥ total_pages: holes and free tops not yet cut). */
  pages_committed: number;
  /** `pages_committed` in bytes: the pool's share of RSS at most. */
  bytes_committed: number;
  /** Bytes given back to the OS since creation. */
  bytes_returned: number;
  /** Zspages moved down by the page store since creation. */
  zspages_relocated: number;
  /** Arenas created. */
  arenas: number;
  /** Whether the pool's shrinker is registered. */
  shrinker_enabled: boolean;
  /** Names of the fullness groups, as the kernel's enum. */
  fullness_names: string[];
  /** Classes with zspages, ascending (empty when `stats({ classes: false })`). */
  classes: ClassStats[];
}

/** What {@link classRows} reads. */
export interface StatsSource extends CompactionHost {
  /** The class table. */
  readonly classTable: ClassTable;
  /** The compactor, for `freeable`. */
  readonly compactor: Compactor;
}

/** Rows for every class with zspages, or just for class `only`. */
export function classRows(pool: StatsSource, only?: number): ClassStats[] {
  const zt = pool.zt;
  const rows: ClassStats[] = [];
  const G = zt.nGroups;
  for (const cl of pool.classTable.classes) {
    const c = cl.index;
    if (only !== undefined && c !== only) continue;
    const allocated = zt.objAllocated[c];
    if (allocated === 0 && only === undefined) continue;
    const objs = zt.clsObjs[c];
    const zspages = allocated / objs;
    const fullness: number[] = [];
    const hist = new Map<number, number>();
    for (let g = 0; g < G; g++) {
      fullness.push(zt.groupCount[c * G + g]);
      if (g === zt.unlistedGroup) {
        // Full zspages are counted, not linked: each holds objs_per_zspage objects.
        const n = zt.groupCount[c * G + g];
        if (n > 0) hist.set(objs, (hist.get(objs) ?? 0) + n);
        continue;
      }
      for (let z = zt.head[c * G + g]; z >= 0; z = zt.next(z)) {
        const n = zt.inuse(z);
        hist.set(n, (hist.get(n) ?? 0) + 1);
      }
    }
    const inuse_hist: Record<string, number> = {};
    for (const k of [...hist.keys()].sort((a, b) => a - b)) inuse_hist[String(k)] = hist.get(k)!;
    rows.push({
      class: c,
      size: cl.size,
      objs_per_zspage: objs,
      pages_per_zspage: cl.pages_per_zspage,
      obj_allocated: allocated,
      obj_used: zt.objUsed[c],
      pages_used: zspages * cl.pages_per_zspage,
      freeable: pool.compactor.canCompact(c),
      zspages,
      fullness,
      inuse_hist,
    });
  }
  return rows;
}
