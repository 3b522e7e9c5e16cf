/**
 * yieldToEventLoop: lets pending I/O, timers and other callbacks run between two slices of work.
 *
 * Uses `setImmediate` where it exists (Node, Bun, Deno): it runs after pending I/O without the
 * 1 ms clamp of `setTimeout`. In browsers a `MessageChannel` message does the same; `setTimeout(0)`
 * is the last resort.
 */

type ImmediateFn = (cb: () => void) => unknown;

const immediate: ImmediateFn | undefined = (globalThis as { setImmediate?: ImmediateFn }).setImmediate;

let channel: MessageChannel | undefined;
const waiting: (() => void)[] = [];

function viaChannel(cb: () => void): void {
  if (channel === undefined) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => {
      const next = waiting.shift();
      if (next) next();
    };
  }
  waiting.push(cb);
  channel.port2.postMessage(0);
}

/** Resolves after the event loop has had a turn. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise<void>((resolve) => {
    if (immediate !== undefined) immediate(resolve);
    else if (typeof MessageChannel !== 'undefined') viaChannel(resolve);
    else setTimeout(resolve, 0);
  });
}
