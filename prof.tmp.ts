import { readFileSync } from 'node:fs';
import { ZStore } from './src/store/zstore.js';

const data = readFileSync(process.execPath);
const n = 100000;
const s = new ZStore<number>({ shrinkers: null, codec: process.argv[2] ?? 'lz4' });
let pos = 0;
let x = 7;
for (let i = 0; i < n; i++) {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  x >>>= 0;
  const len = 1024 + (x % 3073);
  if (pos + len > data.length) pos = 0;
  s.set(i, data.subarray(pos, pos + len));
  pos += len;
}
let sink = 0;
for (let r = 0; r < 5; r++) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const v = s.get((i * 7919) % n) as Uint8Array;
    sink += v.length;
  }
  console.log('get/s', (n / ((performance.now() - t0) / 1000)) | 0);
}
console.log(sink);
