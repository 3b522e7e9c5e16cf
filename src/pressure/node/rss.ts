/**
 * Process RSS for byte budgets: `budgetSource({ limitBytes, usage: rssBytes })` caps the whole
 * process's resident memory rather than the registered caches'. RSS is the truth for resizable
 * ArrayBuffers, which `process.memoryUsage()`'s other fields do not count on Node 20/22.
 */
import { readProcFile } from './read-file.js';

/** Resident set size of this process in bytes (`process.memoryUsage.rss()`: one cheap syscall). */
export function rssBytes(): number {
  return process.memoryUsage.rss();
}

/**
 * Resident set size from `/proc/self/statm` (second field, in pages of `pageBytes`, default
 * 4096), or NaN where the file is missing or malformed (not Linux).
 */
export function statmRssBytes(pageBytes = 4096, readFile = readProcFile): number {
  let text: string | null;
  try {
    text = readFile('/proc/self/statm');
  } catch {
    return Number.NaN;
  }
  if (text === null) return Number.NaN;
  const m = /^\d+ (\d+) /.exec(text);
  return m === null ? Number.NaN : Number(m[1]) * pageBytes;
}
