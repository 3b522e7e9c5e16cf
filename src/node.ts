/**
 * zsmalloc/node — everything in the core entry, plus what needs Node.js: streaming trace files.
 */
export * from './index.js';
export { type ReplayFileOptions, replayFile } from './replay/replay-file.js';
