/**
 * BackingStore: where a ZramDevice writes pages back to (the kernel's `backing_dev`).
 *
 * Page-sized slots addressed by number. The core has an in-memory implementation (for tests and
 * browsers); `zsmalloc/node` has {@link FileBacking} on a file. Errors throw `ERR_ZS_IO`.
 */
import { checkInt, ENOMEM, show, ZsError, ZsErrorCode } from '../errors.js';

/** A store of page-sized slots. */
export interface BackingStore {
  /** Bytes per slot (must equal the device's page size). */
  readonly pageSize: number;
  /** Number of slots. */
  readonly slots: number;
  /** Writes one page into `slot`. */
  write(slot: number, page: Uint8Array): void;
  /** Reads `slot` into `out` (one page). */
  read(slot: number, out: Uint8Array): void;
  /** Releases the store (closes the file). */
  close(): void;
}

/** Slots in one plain ArrayBuffer: a backing store without a file (tests, browsers). */
export class MemoryBacking implements BackingStore {
  readonly pageSize: number;
  readonly slots: number;
  private bytes: Uint8Array;

  /**
   * `slots` pages of `pageSize` bytes (4096, 16384 or 65536). Throws `ERR_ZS_BAD_ARGUMENT` for
   * anything else, `ERR_ZS_LIMIT` when the memory cannot be allocated.
   */
  constructor(slots: number, pageSize = 4096) {
    checkBackingShape(slots, pageSize);
    try {
      this.bytes = new Uint8Array(slots * pageSize);
    } catch (e) {
      throw new ZsError(
        ZsErrorCode.LIMIT,
        `MemoryBacking: cannot allocate ${slots} pages (${(e as Error).message})`,
        ENOMEM,
      );
    }
    this.pageSize = pageSize;
    this.slots = slots;
  }

  write(slot: number, page: Uint8Array): void {
    this.check(slot);
    this.bytes.set(page, slot * this.pageSize);
  }

  read(slot: number, out: Uint8Array): void {
    this.check(slot);
    out.set(this.bytes.subarray(slot * this.pageSize, (slot + 1) * this.pageSize));
  }

  close(): void {
    this.bytes = new Uint8Array(0);
  }

  private check(slot: number): void {
    if (!Number.isInteger(slot) || !(slot >= 0 && slot < this.slots) || this.bytes.length === 0) {
      throw new ZsError(ZsErrorCode.IO, `backing store: no slot ${slot}`);
    }
  }
}

/**
 * Throws `ERR_ZS_BAD_ARGUMENT` unless `slots` is a non-negative integer (below 2^31) and
 * `pageSize` one of the pool's page sizes.
 * @internal
 */
export function checkBackingShape(slots: unknown, pageSize: unknown): void {
  checkInt('backing store slots', slots, 0, 2 ** 31 - 1);
  if (pageSize !== 4096 && pageSize !== 16384 && pageSize !== 65536) {
    throw new ZsError(
      ZsErrorCode.BAD_ARGUMENT,
      `backing store pageSize must be 4096, 16384 or 65536, got ${show(pageSize)}`,
    );
  }
}
