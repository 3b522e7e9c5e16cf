/**
 * BackingStore: where a ZramDevice writes pages back to (the kernel's `backing_dev`).
 *
 * Page-sized slots addressed by number. The core has an in-memory implementation (for tests and
 * browsers); `zsmalloc/node` has {@link FileBacking} on a file. Errors throw `ERR_ZS_IO`.
 */
import { ZsError, ZsErrorCode } from '../errors.js';

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

  /** `slots` pages of `pageSize` bytes. */
  constructor(slots: number, pageSize = 4096) {
    this.pageSize = pageSize;
    this.slots = slots;
    this.bytes = new Uint8Array(slots * pageSize);
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
    if (!(slot >= 0 && slot < this.slots) || this.bytes.length === 0) {
      throw new ZsError(ZsErrorCode.IO, `backing store: no slot ${slot}`);
    }
  }
}
