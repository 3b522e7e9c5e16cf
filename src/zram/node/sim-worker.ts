/**
 * Worker thread of the zram simulator: runs one algorithm on every profile asked for, fed the
 * chunks of pages the main thread reads, and posts its reports back. Messages in: `{ chunk }`
 * (transferred) and `{ end: true }`; out: `{ ack: true }` per chunk, then `{ reports, skipped }`
 * or `{ error }`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { registerNodeCodecs } from '../../codec/node/zlib-codecs.js';
import type { ProfileName } from '../../pool/profiles.js';
import { ZramSimGroup } from '../simulate.js';

const data = workerData as { algorithm: string; profiles: ProfileName[]; capacity: number };
registerNodeCodecs();
const port = parentPort!;
let group: ZramSimGroup | null = null;
try {
  group = new ZramSimGroup(data.algorithm, data.profiles, data.capacity);
} catch (e) {
  port.postMessage({ error: (e as Error).message });
}
port.on('message', (m: { chunk?: Uint8Array; end?: boolean }) => {
  if (!group) return;
  try {
    if (m.chunk) {
      group.add(m.chunk);
      port.postMessage({ ack: true });
    } else if (m.end) {
      port.postMessage({ reports: group.finish(), skipped: group.skipped });
      group = null;
    }
  } catch (e) {
    port.postMessage({ error: (e as Error).message });
    group = null;
  }
});
