/**
 * Profiles: which kernel's zsmalloc the pool reproduces.
 *
 * A profile fixes every rule that decides page counts (mm/zsmalloc.c of Linux 4.3, 6.1 and 6.12):
 * the class table rule and chain size, whether the 8-byte handle header is charged to the object,
 * the fullness groups and how a zspage is inserted into its group's list, the order groups are
 * searched in, and the compaction loop. `linux-6.1` and `linux-6.12` are reproduced exactly
 * (checked against real-kernel results in `test/fixtures/oracle`); `linux-4.3` follows that
 * kernel's source unchecked (no oracle exists); `default` is ours.
 */

/** Names accepted by `createPool({ profile })`. */
export type ProfileName = 'linux-4.3' | 'linux-6.1' | 'linux-6.12' | 'default';

/** How `insert_zspage` places a zspage in its fullness list. */
export const InsertRule = {
  /** 6.4+: always at the head. */
  Head: 0,
  /** 4.8 … 6.3: at the head if `inuse >= head.inuse`, else second. */
  SecondIfLess: 1,
  /** 4.3: at the head if `inuse >= head.inuse`, else at the tail. */
  TailIfLess: 2,
} as const;
/** One of {@link InsertRule}'s values. */
export type InsertRule = (typeof InsertRule)[keyof typeof InsertRule];

/** Shape of the compaction loop (mm/zsmalloc.c __zs_compact(), Linux 4.3 … 6.12). */
export const CompactRule = {
  /** 4.3 … 6.3: drain one source (almost-empty first) into targets (almost-full first). */
  SourceOuter: 0,
  /** 6.4+: fill one destination (fullest first) from sources (least used first). */
  DestinationOuter: 1,
} as const;
/** One of {@link CompactRule}'s values. */
export type CompactRule = (typeof CompactRule)[keyof typeof CompactRule];

/** Every rule of a profile. */
export interface Profile {
  /** Profile name. */
  readonly name: ProfileName;
  /** Class table rule: `legacy` = max used-percentage (≤ 6.2), `chain` = min tail waste (6.3+). */
  readonly classRule: 'legacy' | 'chain';
  /** Most pages in one zspage (4 before 6.3; `CONFIG_ZSMALLOC_CHAIN_SIZE` after). */
  readonly maxPagesPerZspage: number;
  /** Bytes of handle header charged to every object when choosing its class (kernel: 8). */
  readonly handleBytes: number;
  /** Fullness group names, index = group number. */
  readonly fullnessNames: readonly string[];
  /** Groups searched by `zs_malloc` for a zspage with a free slot, in order. */
  readonly allocOrder: readonly number[];
  /** Groups a compaction source is taken from, in order. */
  readonly sourceOrder: readonly number[];
  /** Groups a compaction destination is taken from, in order. */
  readonly targetOrder: readonly number[];
  /** List insertion rule. */
  readonly insert: InsertRule;
  /** Compaction loop. */
  readonly compact: CompactRule;
  /** Group of a zspage with `inuse` of `objs` slots used. */
  fullness(inuse: number, objs: number): number;
  /** Group number meaning "empty" (freed at once). */
  readonly emptyGroup: number;
  /** errno of `zs_malloc(size > max)`: -EINVAL up to 6.2, -ENOSPC from 6.3. */
  readonly tooBigErrno: number;
}

// 4.3 … 6.3: four groups. 4.8+ enum order is EMPTY, ALMOST_EMPTY, ALMOST_FULL, FULL; we use that
// order for every legacy profile (4.3's enum order differs but only its names are visible).
const ZS_EMPTY = 0;
const ZS_ALMOST_EMPTY = 1;
const ZS_ALMOST_FULL = 2;
const ZS_FULL = 3;

function legacyFullness(inuse: number, objs: number): number {
  if (inuse === 0) return ZS_EMPTY;
  if (inuse === objs) return ZS_FULL;
  // fullness_threshold_frac = 4: the code says 3N/4 (the comment says N/4; the code wins).
  return inuse <= Math.floor((3 * objs) / 4) ? ZS_ALMOST_EMPTY : ZS_ALMOST_FULL;
}

// 6.4+: ZS_INUSE_RATIO_0, _10 … _90, _99, _100.
const RATIO_0 = 0;
const RATIO_10 = 1;
const RATIO_99 = 10;
const RATIO_100 = 11;

function ratioFullness(inuse: number, objs: number): number {
  if (inuse === 0) return RATIO_0;
  if (inuse === objs) return RATIO_100;
  // Integer ratio; one object of 127 is 0% but belongs to the 10% group, hence the +1.
  return Math.floor(Math.floor((100 * inuse) / objs) / 10) + 1;
}

const LEGACY_NAMES = ['ZS_EMPTY', 'ZS_ALMOST_EMPTY', 'ZS_ALMOST_FULL', 'ZS_FULL'] as const;
const RATIO_NAMES = [
  'ZS_INUSE_RATIO_0',
  'ZS_INUSE_RATIO_10',
  'ZS_INUSE_RATIO_20',
  'ZS_INUSE_RATIO_30',
  'ZS_INUSE_RATIO_40',
  'ZS_INUSE_RATIO_50',
  'ZS_INUSE_RATIO_60',
  'ZS_INUSE_RATIO_70',
  'ZS_INUSE_RATIO_80',
  'ZS_INUSE_RATIO_90',
  'ZS_INUSE_RATIO_99',
  'ZS_INUSE_RATIO_100',
] as const;

const descending = (from: number, to: number): number[] => {
  const out: number[] = [];
  for (let g = from; g >= to; g--) out.push(g);
  return out;
};
const ascending = (from: number, to: number): number[] => {
  const out: number[] = [];
  for (let g = from; g <= to; g++) out.push(g);
  return out;
};

/** 6.4+ rules (checked against Debian's 6.12 with `CONFIG_ZSMALLOC_CHAIN_SIZE=8`). */
const LINUX_6_12: Profile = {
  name: 'linux-6.12',
  classRule: 'chain',
  maxPagesPerZspage: 8,
  handleBytes: 8,
  fullnessNames: RATIO_NAMES,
  allocOrder: descending(RATIO_99, RATIO_0),
  sourceOrder: ascending(RATIO_10, RATIO_99),
  targetOrder: descending(RATIO_99, RATIO_10),
  insert: InsertRule.Head,
  compact: CompactRule.DestinationOuter,
  fullness: ratioFullness,
  emptyGroup: RATIO_0,
  tooBigErrno: -28,
};

const PROFILES: Record<ProfileName, Profile> = {
  'linux-4.3': {
    name: 'linux-4.3',
    classRule: 'legacy',
    maxPagesPerZspage: 4,
    handleBytes: 8,
    fullnessNames: LEGACY_NAMES,
    // Only ALMOST_FULL and ALMOST_EMPTY are listed in 4.3.
    allocOrder: [ZS_ALMOST_FULL, ZS_ALMOST_EMPTY],
    sourceOrder: [ZS_ALMOST_EMPTY, ZS_ALMOST_FULL],
    targetOrder: [ZS_ALMOST_FULL, ZS_ALMOST_EMPTY],
    insert: InsertRule.TailIfLess,
    compact: CompactRule.SourceOuter,
    fullness: legacyFullness,
    emptyGroup: ZS_EMPTY,
    tooBigErrno: -22,
  },
  'linux-6.1': {
    name: 'linux-6.1',
    classRule: 'legacy',
    maxPagesPerZspage: 4,
    handleBytes: 8,
    fullnessNames: LEGACY_NAMES,
    // The EMPTY list only ever holds zspages whose free was deferred; never here.
    allocOrder: [ZS_ALMOST_FULL, ZS_ALMOST_EMPTY, ZS_EMPTY],
    sourceOrder: [ZS_ALMOST_EMPTY, ZS_ALMOST_FULL],
    targetOrder: [ZS_ALMOST_FULL, ZS_ALMOST_EMPTY],
    insert: InsertRule.SecondIfLess,
    compact: CompactRule.SourceOuter,
    fullness: legacyFullness,
    emptyGroup: ZS_EMPTY,
    tooBigErrno: -22,
  },
  'linux-6.12': LINUX_6_12,
  // Ours: the 6.12 algorithms (fine-grained groups, destination-outer compaction that never moves
  // an object twice) with the handle kept out of band, so no object pays 8 bytes of header.
  default: { ...LINUX_6_12, name: 'default', handleBytes: 0 },
};

/** Every profile name, kernel ones first. */
export const PROFILE_NAMES: readonly ProfileName[] = ['linux-4.3', 'linux-6.1', 'linux-6.12', 'default'];

/** The profile called `name`, or undefined. */
export function getProfile(name: string): Profile | undefined {
  return Object.hasOwn(PROFILES, name) ? PROFILES[name as ProfileName] : undefined;
}
