/**
 * Progress: a one-line progress bar on standard error, drawn only on a terminal and at most
 * ten times a second. (A dependency-free module: the CLI draws two or three bars per run, and
 * cli-progress's 25k-line install buys nothing here.)
 */

/** A single progress line. */
export class Progress {
  private readonly write: (s: string) => void;
  private readonly enabled: boolean;
  private last = 0;
  private shown = false;

  /**
   * `enabled` false makes every call a no-op (not a terminal, or `--json`); `write` draws (a
   * command passes its context's `errRaw`; the default is this process's standard error).
   */
  constructor(enabled: boolean, write: (s: string) => void = (s) => process.stderr.write(s)) {
    this.enabled = enabled;
    this.write = write;
  }

  /** Draws `label [#####.....] 42% detail`; `fraction` in [0, 1]. */
  update(label: string, fraction: number, detail = ''): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.last < 100 && fraction < 1) return;
    this.last = now;
    const f = Math.max(0, Math.min(1, fraction));
    const width = 30;
    const full = Math.round(f * width);
    const bar = `${'#'.repeat(full)}${'.'.repeat(width - full)}`;
    this.write(`\r\x1b[2K${label} [${bar}] ${(f * 100).toFixed(0).padStart(3)}% ${detail}`);
    this.shown = true;
  }

  /** Clears the line. */
  done(): void {
    if (this.enabled && this.shown) this.write('\r\x1b[2K');
    this.shown = false;
  }
}
