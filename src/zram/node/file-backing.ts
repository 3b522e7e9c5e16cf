/**
 * FileBacking: a ZramDevice backing store on a file (Node only), like zram's `backing_dev`.
 *
 * Slot `n` lives at byte `n · pageSize`; the file is created sparse at its full size, so only
 * written pages take disk space. Reads and writes are synchronous (zram's writeback is too).
 */
import { closeSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { show, ZsError, ZsErrorCode } from '../../errors.js';
import { type BackingStore, checkBackingShape } from '../backing.js';

/** A backing store on a file; see the file comment. */
export class FileBacking implements BackingStore {
  readonly pageSize: number;
  readonly slots: number;
  /** The file's path. */
  readonly path: string;
  private fd: number;

  /** Opens (creating or truncating) `path` for `slots` pages of `pageSize` bytes. */
  constructor(path: string, slots: number, pageSize = 4096) {
    if (typeof path !== 'string' || path === '') {
      throw new ZsError(
        ZsErrorCode.BAD_ARGUMENT,
        `FileBacking: path must be a non-empty string, got ${show(path)}`,
      );
    }
    checkBackingShape(slots, pageSize);
    this.path = path;
    this.pageSize = pageSize;
    this.slots = slots;
    try {
      this.fd = openSync(path, 'w+');
      ftruncateSync(this.fd, slots * pageSize);
    } catch (e) {
      throw new ZsError(
        ZsErrorCode.IO,
        `backing file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      );
    }
  }

  /** Writes one page into `slot`; a failure (ENOSPC on a full disk, EIO) is `ERR_ZS_IO`. */
  write(slot: number, page: Uint8Array): void {
    this.check(slot);
    let n: number;
    try {
      n = writeSync(this.fd, page, 0, this.pageSize, slot * this.pageSize);
    } catch (e) {
      throw this.ioError('write', slot, e);
    }
    if (n !== this.pageSize)
      throw new ZsError(ZsErrorCode.IO, `backing file ${this.path}: short write at slot ${slot}`);
  }

  /** Reads `slot` into `out`; a failure is `ERR_ZS_IO`. */
  read(slot: number, out: Uint8Array): void {
    this.check(slot);
    let n: number;
    try {
      n = readSync(this.fd, out, 0, this.pageSize, slot * this.pageSize);
    } catch (e) {
      throw this.ioError('read', slot, e);
    }
    if (n !== this.pageSize)
      throw new ZsError(ZsErrorCode.IO, `backing file ${this.path}: short read at slot ${slot}`);
  }

  private ioError(op: string, slot: number, e: unknown): ZsError {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    return new ZsError(ZsErrorCode.IO, `backing file ${this.path}: ${op} at slot ${slot}: ${code}`);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  private check(slot: number): void {
    if (this.fd < 0) throw new ZsError(ZsErrorCode.IO, `backing file ${this.path} is closed`);
    if (!Number.isInteger(slot) || !(slot >= 0 && slot < this.slots))
      throw new ZsError(ZsErrorCode.IO, `backing file ${this.path}: no slot ${slot}`);
  }
}
