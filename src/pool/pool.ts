/**
 * ZsPool: the zsmalloc allocator — size classes, zspages, handles, compaction, its own shrinker.
 *
 * How a request flows (kernel names in brackets)
 * - `malloc(size)` [zs_malloc]: class of `size + handleBytes` from a lookup table; the head of the
 *   first non-empty fullness list in the profile's order [find_get_zspage], else a new zspage from
 *   the page store [alloc_zspage]; pop its free-list head [obj_malloc]; move the zspage to its new
 *   group if it changed [fix_fullness_group]. Returns a handle (see {@link HandleTable}).
 * - `free(handle)` [zs_free]: push the slot on the zspage's free list [obj_free]; regroup; an
 *   empty zspage is freed at once and its pages go back to the page store.
 * - `map`/`unmap` [zs_map_object]: a zero-copy view of the object (its zspage's pages are
 *   contiguous, so no copy even across a page boundary); mapping pins the zspage — compaction will
 *   not move it and the page store will not relocate it. `read`/`readInto`/`write`/`with` are the
 *   safe forms.
 * - `compact()` [zs_compact]: classes from the largest down, the profile's loop (see
 *   {@link Compactor}), then the page store moves zspages down and cuts the arena tops, so the
 *   freed pages leave RSS. One compaction at a time [compaction_in_progress].
 * - The pool registers a shrinker named `zspool:<name>` [zs_register_shrinker]: `count` =
 *   pages compaction and trimming would give back, `scan` = compact + trim, returning the pages
 *   given back or SHRINK_STOP. Registration failure is not fatal (zs_create_pool(), Linux 6.12: "not critical").
 *
 * Every failure throws a {@link ZsError} before any state changes.
 */
import { checkInt, destroyedErrorFor, EINVAL, ENOMEM, show, ZsError, ZsErrorCode } from '../errors.js';
import { type PageOwner, PageStore } from '../page/page-store.js';
import { defaultShrinkers, type ShrinkerRegistry } from '../shrinker/registry.js';
import { DEFAULT_SEEKS, SHRINK_STOP, type ShrinkControl, type Shrinker } from '../shrinker/shrinker.js';
import { runAsync, runSync } from '../util/drive.js';
import { yieldToEventLoop } from '../util/yield.js';
import { Compactor } from './compaction.js';
import { HandleTable } from './handle-table.js';
import { type ClassStats, classRows, type PoolStats } from './pool-stats.js';
import { getProfile, PROFILE_NAMES, type Profile, type ProfileName } from './profiles.js';
import { buildClassTable, type ClassTable } from './size-class.js';
import { Z_ARENA, Z_CLS, Z_FREEOBJ, Z_INUSE, Z_OFF, Z_PINS, Z_STRIDE, ZspageTable } from './zspage-table.js';

/** Options of {@link createPool}. Every option is optional. */
export interface PoolOptions {
  /** Pool name; the shrinker is `zspool:<name>`. Default `pool<N>`. */
  name?: string;
  /**
   * Which zsmalloc to be: `linux-4.3` (Linux 4.3's rules, unchecked), `linux-6.1`, `linux-6.12` (exact), or `default`
   * (6.12's algorithms with out-of-band handles: no 8-byte header per object). Default `default`.
   */
  profile?: ProfileName;
  /** Bytes per page: 4096 (default), 16384 or 65536. Objects may be up to one page. */
  pageSize?: number;
  /** Most pages per zspage (chain-size profiles only, 4..16; default: the profile's). */
  maxPagesPerZspage?: number;
  /**
   * Most bytes of pages the pool may use, rounded down to whole pages: 0 = unlimited (default),
   * otherwise at least one page (`pageSize` bytes).
   */
  memLimit?: number;
  /** Largest arena, a power of two up to 1 GiB (default 1 GiB). */
  arenaBytes?: number;
  /** Arena commit step in bytes (default 1 MiB). */
  growBytes?: number;
  /**
   * Registry to register the pool's shrinker with (default: the process-wide `defaultShrinkers`);
   * `null` registers none.
   */
  shrinkers?: ShrinkerRegistry | null;
  /** Default slice for {@link ZsPool.compactAsync}, in ms (default 2). */
  sliceMs?: number;
  /**
   * Idle-time give-back: when > 0, once the pool has seen frees and then no malloc or free for
   * about this many ms, it compacts and gives the memory back by itself (as `compactAsync`, in
   * slices of `sliceMs`), so memory freed in a burst leaves RSS between bursts without anyone
   * asking. A malloc or free between two of its slices stops it (the work done so far stays
   * done), and it tries again after the next quiet period. 0 (default) turns it off. Its timer
   * never keeps the process alive.
   */
  idleMs?: number;
}

/** Options of {@link ZsPool.compactAsync}. */
export interface CompactAsyncOptions {
  /** Longest stretch of work between two yields to the event loop, in ms (default 2). */
  sliceMs?: number;
}

/** What one compaction did. */
export interface CompactResult {
  /** Pages freed by migrating objects (the kernel's `zs_compact` return value). */
  pagesFreed: number;
  /** Bytes the page store gave back to the OS afterwards (moves + arena cuts). */
  bytesReturned: number;
  /** Objects moved. */
  migrated: number;
  /** Wall time in ms. */
  durationMs: number;
  /** Event-loop slices used (1 for synchronous work). */
  slices: number;
  /** Longest slice in ms: how long the event loop was blocked at most. */
  longestSliceMs: number;
  /** False when another compaction was running, so this one did nothing (it returns 0). */
  ran: boolean;
}

/** Map modes, as `zs_map_object`'s; advisory (a view cannot be made read-only). */
export type MapMode = 'ro' | 'wo' | 'rw';

let poolCounter = 0;

/** A zsmalloc pool; create one with {@link createPool}. */
// Structurally a CompactionHost (checked where the Compactor is built), not declared `implements`:
// those members are internal and stripped from the published .d.ts.
export class ZsPool {
  /** Pool name. */
  readonly name: string;
  /** The profile followed. */
  readonly profile: Profile;
  /** The class table in use. */
  readonly classTable: ClassTable;
  /** Bytes per page. */
  readonly pageSize: number;
  /** Largest object `malloc` accepts. */
  readonly maxAllocSize: number;
  /** Requests of at least this size land in a huge class (zram stores them uncompressed). */
  readonly hugeClassSize: number;
  /** @internal */
  readonly zt: ZspageTable;
  /** @internal */
  readonly handles: HandleTable;
  /** @internal */
  readonly views: Uint8Array[];
  /** @internal */
  readonly store: PageStore;
  /** @internal */
  readonly compactor: Compactor;
  /** The pool's shrinker (registered or not). */
  readonly shrinker: Shrinker;
  private readonly sizeToClass: Uint16Array;
  private readonly realClassesDesc: Int32Array;
  private readonly registry: ShrinkerRegistry | null;
  private shrinkerRegistered = false;
  private pagesAllocated = 0;
  private pagesCompacted = 0;
  private liveBytes = 0;
  private compactCalls = 0;
  private compacting = false;
  /** `canCompact()` right after the last compaction. */
  private compactLeft = 0;
  private destroyed = false;
  private readonly defaultSliceMs: number;
  private readonly idleMs: number;
  /** malloc + free calls since the idle timer was armed (only counted when `idleMs` > 0). */
  private idleOps = 0;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly owner: PageOwner;

  /** Creates a pool; see {@link PoolOptions}. Throws `ERR_ZS_BAD_ARGUMENT` for bad options. */
  constructor(options: PoolOptions = {}) {
    // Every option is checked before anything is created or registered.
    if (!isOptions(options)) {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `options must be an object, got ${show(options)}`);
    }
    const profileName = orDefault(options.profile, 'default');
    const profile = getProfile(profileName);
    if (!profile) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `unknown profile ${show(profileName)}; expected one of ${PROFILE_NAMES.join(', ')}`,
      );
    }
    if (options.name !== undefined && (typeof options.name !== 'string' || options.name.length === 0)) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `name must be a non-empty string, got ${show(options.name)}`,
      );
    }
    const pageSize = orDefault(options.pageSize, 4096);
    if (pageSize !== 4096 && pageSize !== 16384 && pageSize !== 65536) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `pageSize must be 4096, 16384 or 65536, got ${show(pageSize)}`,
      );
    }
    let maxPages: number | undefined;
    if (options.maxPagesPerZspage !== undefined) {
      if (profile.classRule !== 'chain' || profile.name !== 'default') {
        throw new ZsError(
          ZsErrorCode.BAD_ARGUMENT,
          `maxPagesPerZspage can only be changed in the default profile (${profile.name} fixes it)`,
        );
      }
      maxPages = checkInt('maxPagesPerZspage', options.maxPagesPerZspage, 4, 16);
    }
    const memLimit = checkInt('memLimit', orDefault(options.memLimit, 0), 0, Number.MAX_SAFE_INTEGER);
    if (memLimit > 0 && memLimit < pageSize) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `memLimit must be 0 (no limit) or at least one page (${pageSize} bytes), got ${memLimit}`,
      );
    }
    this.defaultSliceMs = checkSliceMs('sliceMs', orDefault(options.sliceMs, 2));
    this.idleMs = checkInt('idleMs', orDefault(options.idleMs, 0), 0, 2 ** 31 - 1);
    const shrinkers = options.shrinkers;
    if (shrinkers !== undefined && shrinkers !== null && !isRegistry(shrinkers)) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `shrinkers must be a ShrinkerRegistry or null, got ${show(shrinkers)}`,
      );
    }
    this.profile = profile;
    this.name = options.name ?? `pool${++poolCounter}`;
    this.store = new PageStore({
      pageSize,
      // Rounded down to whole pages; a limit beyond any address space is no limit.
      maxPages: memLimit > 0 ? Math.min(Math.floor(memLimit / pageSize), MAX_LIMIT_PAGES) : 0,
      arenaBytes: options.arenaBytes,
      growBytes: options.growBytes,
    });
    this.pageSize = pageSize;
    this.classTable = buildClassTable(profile, pageSize, maxPages);
    if (this.classTable.maxPagesPerZspage > this.store.maxRunPages) {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, 'arenaBytes is too small for one zspage');
    }
    this.maxAllocSize = this.classTable.maxAllocSize;
    this.hugeClassSize = this.classTable.hugeClassSize;
    this.sizeToClass = this.classTable.sizeToClass;
    this.realClassesDesc = Int32Array.from(this.classTable.classes.map((c) => c.index).reverse());
    this.zt = new ZspageTable(this.classTable, profile);
    this.handles = new HandleTable();
    this.views = this.store.views;
    this.compactor = new Compactor(this, profile);
    const zt = this.zt;
    this.owner = {
      canMove: (z: number) => zt.pins(z) === 0,
      moved: (z: number, page: number) =>
        zt.place(z, page, this.store.arenaOf(page), this.store.offsetOf(page)),
    };
    this.shrinker = new PoolShrinker(this);
    this.registry = options.shrinkers === undefined ? defaultShrinkers : options.shrinkers;
    if (this.registry !== null) {
      try {
        this.registry.registerWeak(this.shrinker);
        this.shrinkerRegistered = true;
      } catch {
        // Not critical: the pool works and compaction can still be run by hand.
        this.shrinkerRegistered = false;
      }
    }
  }

  /** True once the shrinker is registered (false if registration failed or was not asked for). */
  get shrinkerEnabled(): boolean {
    return this.shrinkerRegistered;
  }

  /** True after {@link destroy}. */
  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /**
   * Allocates an object of `size` bytes (1..pageSize) and returns its handle. Its bytes are
   * unspecified until written. Throws `ERR_ZS_BAD_SIZE` or `ERR_ZS_LIMIT`.
   */
  malloc(size: number): number {
    if (this.destroyed) throw destroyedError('malloc');
    if (typeof size !== 'number' || !(size >= 1 && size <= this.maxAllocSize) || (size | 0) !== size) {
      throw this.badSize(size);
    }
    const c = this.sizeToClass[size];
    const zt = this.zt;
    const handles = this.handles;
    // Room for the handle first: growing the table is the one step after this that could fail.
    try {
      handles.reserve();
    } catch (e) {
      throw refused(e, 'malloc: handle table');
    }
    let z = zt.findAlloc(c);
    const fresh = z < 0;
    if (fresh) z = this.allocZspage(c);
    const h = handles.alloc(z, zt.m[z * Z_STRIDE + Z_FREEOBJ], size);
    zt.objMalloc(z, h);
    if (fresh) {
      zt.insert(z, zt.fullness(z));
      zt.objAllocated[c] += zt.clsObjs[c];
      this.pagesAllocated += zt.clsPages[c];
    } else {
      zt.fix(z);
    }
    zt.objUsed[c]++;
    this.liveBytes += size;
    if (this.idleMs > 0) this.idleOps++;
    return handles.handleOf(h);
  }

  /** Frees the object; its handle becomes invalid. Throws for a bad, stale, freed or mapped handle. */
  free(handle: number): void {
    if (this.destroyed) throw destroyedError('free');
    const handles = this.handles;
    const h = handles.resolve(handle, 'free');
    if (handles.mapped(h) !== 0) {
      throw new ZsError(ZsErrorCode.PINNED, `free: handle ${handle} is mapped; unmap it first`);
    }
    const zt = this.zt;
    const z = handles.zs(h);
    const c = zt.m[z * Z_STRIDE + Z_CLS];
    this.liveBytes -= handles.size(h);
    zt.objFree(z, handles.slot(h));
    handles.free(h);
    zt.objUsed[c]--;
    if (zt.m[z * Z_STRIDE + Z_INUSE] === 0) {
      // Empty: freed at once. (The kernel first moves it to the empty group's list and then
      // takes it off again; no other zspage's position changes, so we skip the round trip.)
      zt.remove(z);
      this.freeZspage(z);
    } else {
      zt.fix(z);
    }
    if (this.idleMs > 0) this.noteFree();
  }

  /** True when the object is mapped (pinned) now. Throws for a bad handle. */
  isMapped(handle: number): boolean {
    if (this.destroyed) throw destroyedError('isMapped');
    return this.handles.mapped(this.handles.resolve(handle, 'isMapped')) > 0;
  }

  /** Size in bytes the object was allocated with. */
  size(handle: number): number {
    if (this.destroyed) throw destroyedError('size');
    return this.handles.size(this.handles.resolve(handle, 'size'));
  }

  /**
   * Returns a zero-copy view of the object and pins its zspage until {@link unmap}: compaction and
   * page-store moves leave it alone. The view is valid only until `unmap`. `mode` is advisory.
   */
  map(handle: number, mode: MapMode = 'rw'): Uint8Array {
    if (this.destroyed) throw destroyedError('map');
    if (mode !== 'rw' && mode !== 'ro' && mode !== 'wo') {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `map: mode must be 'ro', 'wo' or 'rw', got ${show(mode)}`);
    }
    const handles = this.handles;
    const h = handles.resolve(handle, 'map');
    if (handles.mapped(h) === 255) {
      throw new ZsError(ZsErrorCode.LIMIT, `map: handle ${handle} is mapped 255 times`);
    }
    const z = handles.zs(h);
    handles.addMapped(h, 1);
    this.zt.m[z * Z_STRIDE + Z_PINS]++;
    return new Uint8Array(
      this.store.buffers[this.zt.m[z * Z_STRIDE + Z_ARENA]],
      this.objOffset(h),
      handles.size(h),
    );
  }

  /** Ends one {@link map} of the object. Throws `ERR_ZS_NOT_MAPPED` if it is not mapped. */
  unmap(handle: number): void {
    if (this.destroyed) throw destroyedError('unmap');
    const handles = this.handles;
    const h = handles.resolve(handle, 'unmap');
    if (handles.mapped(h) === 0) {
      throw new ZsError(ZsErrorCode.NOT_MAPPED, `unmap: handle ${handle} is not mapped`);
    }
    handles.addMapped(h, -1);
    this.zt.m[handles.zs(h) * Z_STRIDE + Z_PINS]--;
  }

  /**
   * Maps the object, calls `fn(view)`, and unmaps it afterwards — exactly once, whatever `fn` does:
   * returns, throws, or returns a promise or any thenable. For a thenable the object stays pinned
   * (compaction leaves it in place) until it settles; `with` then returns a promise of the same
   * value. The thenable is adopted as `Promise.resolve` adopts one, so a `then` that calls back
   * twice, or throws, still unpins once; a thenable that never settles keeps the object pinned.
   */
  with<T>(handle: number, fn: (view: Uint8Array) => T, mode: MapMode = 'rw'): T {
    if (this.destroyed) throw destroyedError('with');
    if (typeof fn !== 'function') {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `with: fn must be a function, got ${show(fn)}`);
    }
    const view = this.map(handle, mode);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      // A destroyed pool has nothing left to unpin (and the entry cannot have been freed: free
      // refuses a mapped object).
      if (!this.destroyed) this.unmap(handle);
    };
    let result: T;
    let thenable: boolean;
    try {
      result = fn(view);
      thenable = isThenable(result); // may run a throwing `then` getter
    } catch (e) {
      release();
      throw e;
    }
    if (!thenable) {
      release();
      return result;
    }
    // A promise's resolve function adopts the thenable with one-shot callbacks and turns a
    // throwing `then` into a rejection; `finally` then runs once.
    return new Promise((resolve) => resolve(result)).finally(release) as T;
  }

  /** Copies the object's bytes into a new Uint8Array. */
  read(handle: number): Uint8Array {
    if (this.destroyed) throw destroyedError('read');
    const h = this.handles.resolve(handle, 'read');
    const out = new Uint8Array(this.handles.size(h));
    this.copyOut(h, out, 0);
    return out;
  }

  /** Copies the object's bytes into `out` at `offset`; returns the number of bytes copied. */
  readInto(handle: number, out: Uint8Array, offset = 0): number {
    if (this.destroyed) throw destroyedError('readInto');
    const h = this.handles.resolve(handle, 'readInto');
    if (!(out instanceof Uint8Array))
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, 'readInto: out must be a Uint8Array');
    const len = this.handles.size(h);
    if (typeof offset !== 'number' || (offset | 0) !== offset || offset < 0 || offset + len > out.length) {
      throw offsetError('readInto', offset, out, len, out.length);
    }
    this.copyOut(h, out, offset);
    return len;
  }

  /** Copies `data` into the object at `offset` (default 0). Throws if it does not fit. */
  write(handle: number, data: Uint8Array, offset = 0): void {
    if (this.destroyed) throw destroyedError('write');
    const handles = this.handles;
    const h = handles.resolve(handle, 'write');
    if (!(data instanceof Uint8Array))
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, 'write: data must be a Uint8Array');
    const len = handles.size(h);
    if (typeof offset !== 'number' || (offset | 0) !== offset || offset < 0 || offset + data.length > len) {
      throw offsetError('write', offset, data, data.length, len);
    }
    if (data.length === 0) {
      if (isDetached(data)) throw detachedError('write', 'data');
      return;
    }
    const m = this.zt.m;
    this.views[m[handles.zs(h) * Z_STRIDE + Z_ARENA]].set(data, this.objOffset(h) + offset);
  }

  /** `zs_get_total_pages`: pages held by zspages. */
  totalPages(): number {
    return this.pagesAllocated;
  }

  /** Live objects (0 once destroyed). */
  get liveObjects(): number {
    return this.destroyed ? 0 : this.handles.live;
  }

  /** Σ `canCompact` over the real classes: pages compaction would free now. O(classes). */
  canCompact(): number {
    const classes = this.realClassesDesc;
    const compactor = this.compactor;
    let pages = 0;
    for (let i = 0; i < classes.length; i++) pages += compactor.canCompact(classes[i]);
    return pages;
  }

  /**
   * Pages compaction could free that the last compaction has not already tried: `canCompact()`
   * minus what the last one left behind (pinned zspages can keep some unfreeable). A cache on
   * this pool evicts only once this is 0.
   */
  compactionBacklog(): number {
    const c = this.canCompact();
    return c > this.compactLeft ? c - this.compactLeft : 0;
  }

  /**
   * Pages the shrinker would give back now: what compaction frees plus committed pages that hold
   * no zspage (holes and free arena tops). O(classes + arenas), allocation-free.
   */
  reclaimablePages(): number {
    if (this.destroyed) return 0;
    return this.canCompact() + this.store.reclaimablePages();
  }

  /**
   * `zs_compact`: migrates objects out of sparse zspages and frees the emptied ones, then moves
   * zspages down and cuts arena tops so the memory leaves RSS. Returns what it did, in the same
   * shape as {@link compactAsync}: `pagesFreed` is the kernel's `zs_compact` return value (this
   * call's pages; the `linux-4.3` kernel returned the cumulative `stats().pages_compacted`);
   * `ran` is false if another compaction was running.
   */
  compact(): CompactResult {
    return this.compactSync(true);
  }

  /**
   * The same work as {@link compact}, in slices of at most about `sliceMs` that yield to
   * the event loop; malloc, free, map and reads may run between slices.
   */
  async compactAsync(options: CompactAsyncOptions = {}): Promise<CompactResult> {
    if (this.destroyed) throw destroyedError('compactAsync');
    if (!isOptions(options)) {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `compactAsync: options must be an object, got ${show(options)}`,
      );
    }
    const sliceMs = checkSliceMs('compactAsync: sliceMs', orDefault(options.sliceMs, this.defaultSliceMs));
    return runAsync(this.compaction(true, sliceMs), yieldToEventLoop);
  }

  /**
   * Gives memory back to the OS without migrating objects: moves zspages down into free runs
   * and cuts the arena tops. Returns the bytes returned.
   */
  trim(): number {
    if (this.destroyed) throw destroyedError('trim');
    this.store.defragment(this.owner);
    return this.store.trim();
  }

  /**
   * Snapshot of the pool and, unless `classes` is false, of every class with zspages (field
   * names are the kernel's debugfs columns, so output can be diffed against the kernel's).
   */
  stats(options: { classes?: boolean } = {}): PoolStats {
    if (this.destroyed) throw destroyedError('stats');
    if (!isOptions(options)) {
      throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `stats: options must be an object, got ${show(options)}`);
    }
    const store = this.store.stats();
    return {
      name: this.name,
      profile: this.profile.name,
      page_size: this.pageSize,
      total_pages: this.pagesAllocated,
      pages_compacted: this.pagesCompacted,
      freeable_total: this.canCompact(),
      live_objects: this.handles.live,
      live_bytes: this.liveBytes,
      huge_class_size: this.hugeClassSize,
      compact_calls: this.compactCalls,
      objects_migrated: this.compactor.migrated,
      bytes_migrated: this.compactor.migratedBytes,
      zspages: this.zt.live,
      pages_committed: store.pages_committed,
      bytes_committed: store.pages_committed * this.pageSize,
      bytes_returned: store.bytes_returned,
      zspages_relocated: store.runs_relocated,
      arenas: store.arenas,
      shrinker_enabled: this.shrinkerRegistered,
      fullness_names: this.profile.fullnessNames.slice(),
      classes: options.classes === false ? [] : classRows(this),
    };
  }

  /** Per-class row for one real class index (see {@link stats}). */
  classStats(classIndex: number): ClassStats | undefined {
    if (this.destroyed) throw destroyedError('classStats');
    checkInt('classStats: classIndex', classIndex, 0, 2 ** 31 - 1);
    return classRows(this, classIndex)[0];
  }

  /** Unregisters the shrinker and releases every page; the pool is unusable afterwards. */
  destroy(): void {
    if (this.destroyed) return;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    // As zs_destroy_pool: the shrinker goes first.
    if (this.registry !== null && this.shrinkerRegistered) this.registry.unregister(this.shrinker);
    this.shrinkerRegistered = false;
    this.destroyed = true;
    this.store.destroy();
    this.pagesAllocated = 0;
    this.liveBytes = 0;
  }

  /** @internal `free_zspage`: an empty zspage goes, with its pages. */
  freeZspage(z: number): void {
    const zt = this.zt;
    const c = zt.cls(z);
    if (zt.group(z) >= 0) zt.remove(z);
    zt.objAllocated[c] -= zt.clsObjs[c];
    this.pagesAllocated -= zt.clsPages[c];
    this.store.freeRun(zt.page(z), zt.clsPages[c]);
    zt.release(z);
  }

  /** Idle-time give-back: a free arms the timer (once); see {@link PoolOptions.idleMs}. */
  private noteFree(): void {
    this.idleOps++;
    if (this.idleTimer === undefined) this.armIdle();
  }

  private armIdle(): void {
    const ops = this.idleOps;
    const t = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.destroyed) return;
      // Still busy: look again after another idle period.
      if (this.idleOps !== ops) return this.armIdle();
      if (this.reclaimablePages() === 0 || this.compacting) return;
      runAsync(this.compaction(true, this.defaultSliceMs, ops), yieldToEventLoop)
        .then((r) => {
          // Stopped because work resumed: try again after the next quiet period.
          if (r.ran && this.idleOps !== ops && !this.destroyed && this.idleTimer === undefined) {
            this.armIdle();
          }
        })
        .catch(() => {
          // Nothing to report to: a failed give-back leaves the memory committed, as before.
        });
    }, this.idleMs);
    (t as { unref?: () => void }).unref?.();
    this.idleTimer = t;
  }

  /** @internal Synchronous compaction + page-store give-back. */
  compactSync(giveBack: boolean): CompactResult {
    if (this.destroyed) throw destroyedError('compact');
    return runSync(this.compaction(giveBack, Number.POSITIVE_INFINITY), noop);
  }

  /**
   * Compaction as one generator, run by `runSync` (no pauses: `sliceMs` is infinite) or by
   * `runAsync` with a yield to the event loop as the answer to each pause. Every step — a class's
   * migration up to a yield point, a defragmenting move, an arena cut — is bounded by the end of
   * the current slice, so no slice lasts much longer than `sliceMs`. With `idleOps` (the idle
   * mode's count of malloc and free calls when it started), a malloc or free between two slices
   * ends it there.
   */
  private *compaction(
    giveBack: boolean,
    sliceMs: number,
    idleOps = -1,
  ): Generator<void, CompactResult, unknown> {
    if (this.compacting) return notRun();
    this.compacting = true;
    this.compactCalls++;
    const timed = sliceMs !== Number.POSITIVE_INFINITY;
    // Frees during the slices must not cut arena tops in one long resize; the give-back phase
    // below cuts them in timed steps.
    if (timed) this.store.suspendAutoTrim = true;
    const t0 = performance.now();
    const migrated0 = this.compactor.migrated;
    let freed = 0;
    let returned = 0;
    let slices = 1;
    let longest = 0;
    let sliceStart = t0;
    let deadline = timed ? t0 + sliceMs : Number.POSITIVE_INFINITY;
    let interrupted = false;
    try {
      const classes = this.realClassesDesc;
      // Untimed, compaction frees many zspages and allocates none: one bulk update of the
      // free-run tree. (Timed, that one update would be one long slice.)
      if (!timed) this.store.beginBatchFree();
      try {
        for (let i = 0; i < classes.length && !this.destroyed; i++) {
          for (;;) {
            freed += this.compactor.compactClass(classes[i], deadline);
            if (this.compactor.classDone) break;
            // The slice is over (only a timed run stops before the class is done).
            longest = Math.max(longest, performance.now() - sliceStart);
            slices++;
            yield;
            sliceStart = performance.now();
            deadline = sliceStart + sliceMs;
            interrupted = idleOps >= 0 && this.idleOps !== idleOps;
            if (this.destroyed || interrupted) break;
          }
          if (interrupted) break;
        }
      } finally {
        if (!timed) this.store.endBatchFree();
      }
      this.pagesCompacted += freed;
      // An interrupted run leaves its backlog to the next one (see compactionBacklog).
      if (!interrupted) this.compactLeft = this.canCompact();
      // Give the memory back: defragmenting moves, then arena cuts, each bounded by the slice.
      let phase = giveBack && !interrupted ? 0 : 2;
      while (phase < 2 && !this.destroyed) {
        if (phase === 0) {
          this.store.defragment(this.owner, Number.POSITIVE_INFINITY, deadline);
          if (this.store.defragmentDone) phase = 1;
        } else {
          returned += this.store.trim(Number.POSITIVE_INFINITY, deadline);
          if (this.store.trimDone) phase = 2;
        }
        if (phase < 2 && timed && performance.now() >= deadline) {
          longest = Math.max(longest, performance.now() - sliceStart);
          slices++;
          yield;
          sliceStart = performance.now();
          deadline = sliceStart + sliceMs;
          if (idleOps >= 0 && this.idleOps !== idleOps) break;
        }
      }
      longest = Math.max(longest, performance.now() - sliceStart);
    } finally {
      this.compacting = false;
      if (timed) this.store.suspendAutoTrim = false;
    }
    return {
      pagesFreed: freed,
      bytesReturned: returned,
      migrated: this.compactor.migrated - migrated0,
      durationMs: performance.now() - t0,
      slices,
      longestSliceMs: longest,
      ran: true,
    };
  }

  /** @internal Pages committed in the arenas. */
  committedPages(): number {
    return this.store.committedPages();
  }

  private allocZspage(c: number): number {
    const zt = this.zt;
    let z: number;
    try {
      z = zt.create(c);
    } catch (e) {
      throw refused(e, 'malloc: zspage table');
    }
    let page: number;
    try {
      page = this.store.allocRun(zt.clsPages[c], z);
    } catch (e) {
      zt.release(z); // the runtime refused memory (ERR_ZS_LIMIT, -ENOMEM): undo, then report it
      throw e;
    }
    if (page < 0) {
      zt.release(z);
      throw new ZsError(
        ZsErrorCode.LIMIT,
        `malloc: memory limit of ${this.store.maxPages} pages reached (${this.pagesAllocated} in use)`,
        ENOMEM,
      );
    }
    zt.place(z, page, this.store.arenaOf(page), this.store.offsetOf(page));
    return z;
  }

  private copyOut(h: number, out: Uint8Array, offset: number): void {
    const from = this.objOffset(h);
    const m = this.zt.m;
    const view = this.views[m[this.handles.zs(h) * Z_STRIDE + Z_ARENA]];
    out.set(view.subarray(from, from + this.handles.size(h)), offset);
  }

  /** Byte offset of live entry `h`'s object in its arena. */
  private objOffset(h: number): number {
    const handles = this.handles;
    const zt = this.zt;
    const m = zt.m;
    const zb = handles.zs(h) * Z_STRIDE;
    return m[zb + Z_OFF] + handles.slot(h) * zt.clsSize[m[zb + Z_CLS]];
  }

  private badSize(size: unknown): ZsError {
    const tooBig = typeof size === 'number' && Number.isInteger(size) && size > this.maxAllocSize;
    return new ZsError(
      ZsErrorCode.BAD_SIZE,
      `malloc: size must be an integer in [1, ${this.maxAllocSize}], got ${show(size)}`,
      tooBig ? this.profile.tooBigErrno : EINVAL,
    );
  }
}

/** The pool's shrinker: counts and frees pages (kernel `zs_shrinker_count` / `zs_shrinker_scan`). */
class PoolShrinker implements Shrinker {
  readonly name: string;
  readonly seeks = DEFAULT_SEEKS;
  readonly batch = 0;
  readonly unitBytes: number;
  private readonly pool: ZsPool;

  constructor(pool: ZsPool) {
    this.pool = pool;
    this.name = `zspool:${pool.name}`;
    this.unitBytes = pool.pageSize;
  }

  count(_sc: ShrinkControl): number {
    return this.pool.reclaimablePages();
  }

  scan(_sc: ShrinkControl): number {
    const pool = this.pool;
    if (pool.isDestroyed) return SHRINK_STOP;
    const before = pool.committedPages();
    const r = pool.compactSync(true);
    if (!r.ran) return SHRINK_STOP;
    const freed = before - pool.committedPages();
    return freed > 0 ? freed : SHRINK_STOP;
  }

  async scanAsync(_sc: ShrinkControl): Promise<number> {
    const pool = this.pool;
    if (pool.isDestroyed) return SHRINK_STOP;
    const before = pool.committedPages();
    const r = await pool.compactAsync();
    if (!r.ran || pool.isDestroyed) return SHRINK_STOP;
    const freed = before - pool.committedPages();
    return freed > 0 ? freed : SHRINK_STOP;
  }

  usageBytes(): number {
    const pool = this.pool;
    return pool.isDestroyed ? 0 : pool.committedPages() * pool.pageSize;
  }
}

/**
 * The error for an offset check that failed: `ERR_ZS_BAD_ARGUMENT` when the offset is not an
 * integer (or the buffer is detached), else `ERR_ZS_OUT_OF_RANGE`: `n` bytes at `offset` do not
 * fit in `room` (the object for `write`, `bytes` for `readInto`).
 */
function offsetError(op: string, offset: unknown, bytes: Uint8Array, n: number, room: number): ZsError {
  if (typeof offset !== 'number' || !Number.isInteger(offset)) {
    return new ZsError(ZsErrorCode.BAD_ARGUMENT, `${op}: offset must be an integer, got ${show(offset)}`);
  }
  if (bytes.length === 0 && isDetached(bytes)) return detachedError(op, op === 'write' ? 'data' : 'out');
  return new ZsError(
    ZsErrorCode.OUT_OF_RANGE,
    op === 'write'
      ? `write: ${n} bytes at ${offset} do not fit an object of ${room}`
      : `readInto: ${n} bytes do not fit at ${offset} of ${room}`,
  );
}

/** True when `v`'s buffer has been detached (transferred); such a view has length 0. */
function isDetached(v: Uint8Array): boolean {
  const buf = v.buffer as ArrayBuffer & { detached?: boolean };
  if (typeof buf.detached === 'boolean') return buf.detached;
  if (buf.byteLength !== 0) return false;
  try {
    new Uint8Array(buf); // throws a TypeError for a detached buffer (runtimes without `detached`)
    return false;
  } catch {
    return true;
  }
}

function detachedError(op: string, what: string): ZsError {
  return new ZsError(ZsErrorCode.BAD_ARGUMENT, `${op}: ${what}'s buffer is detached`);
}

/** Pages of the largest memory limit the page store tracks (more is the same as none). */
const MAX_LIMIT_PAGES = 2 ** 40;

/** Throws `ERR_ZS_BAD_ARGUMENT` unless `v` is a finite number of milliseconds > 0. */
function checkSliceMs(name: string, v: unknown): number {
  if (typeof v !== 'number' || !(v > 0) || v === Number.POSITIVE_INFINITY) {
    throw new ZsError(ZsErrorCode.BAD_ARGUMENT, `${name} must be a finite number of ms > 0, got ${show(v)}`);
  }
  return v;
}

/** `v`, or `d` when `v` is undefined (null is a value, and a wrong one for every option). */
function orDefault<T>(v: T | undefined, d: T): T {
  return v === undefined ? d : v;
}

/** True for an options object (not null, an array or a function). */
function isOptions(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** True for a ShrinkerRegistry (or anything with its register/unregister methods). */
function isRegistry(v: unknown): v is ShrinkerRegistry {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as ShrinkerRegistry).register === 'function' &&
    typeof (v as ShrinkerRegistry).unregister === 'function'
  );
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';
}

/** A failure to allocate metadata (a RangeError from the runtime) as `ERR_ZS_LIMIT`, -ENOMEM. */
function refused(e: unknown, what: string): ZsError {
  if (e instanceof ZsError) return e;
  return new ZsError(
    ZsErrorCode.LIMIT,
    `${what}: the runtime refused memory (${(e as Error).message})`,
    ENOMEM,
  );
}

const destroyedError = destroyedErrorFor('pool');

function noop(): void {}

function notRun(): CompactResult {
  return {
    pagesFreed: 0,
    bytesReturned: 0,
    migrated: 0,
    durationMs: 0,
    slices: 0,
    longestSliceMs: 0,
    ran: false,
  };
}

/** Creates a {@link ZsPool}; see {@link PoolOptions}. */
export function createPool(options: PoolOptions = {}): ZsPool {
  return new ZsPool(options);
}
