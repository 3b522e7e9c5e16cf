// startAutoReclaim: which sources it picks (cgroup limit vs host figures), budgets, and that it never holds the process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { budgetSource, ShrinkerRegistry, ZsError } from '../../src/index.js';
import { autoReclaimSources, startAutoReclaim } from '../../src/node.js';
import { FakeShrinker, files, fixture } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const CG = '/sys/fs/cgroup';
const PSI =
  'some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n';

function v2Container(max: string): Record<string, string> {
  return {
    '/proc/self/cgroup': '0::/\n',
    '/proc/self/mountinfo': '30 24 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup rw\n',
    [`${CG}/memory.current`]: '1000000\n',
    [`${CG}/memory.max`]: max,
    [`${CG}/memory.high`]: 'max\n',
    [`${CG}/memory.events`]: 'low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n',
    '/proc/meminfo': fixture('meminfo.host.txt'),
    '/proc/pressure/memory': PSI,
  };
}

describe('auto reclaim', () => {
  it('watches the cgroup limit in a limited container, not the host figures', () => {
    const plan = autoReclaimSources({ readFile: files(v2Container('1073741824\n')) });
    assert.deepEqual(
      plan.sources.map((s) => s.name),
      ['cgroup', 'v8-heap'],
    );
    assert.deepEqual(
      plan.skipped.map((s) => s.name),
      ['meminfo', 'psi'],
    );
    assert.match(plan.skipped[0].reason, /cgroup memory limit applies/);
  });

  it('falls back to MemAvailable and PSI on an unlimited or hybrid host', () => {
    const unlimited = autoReclaimSources({ readFile: files(v2Container('max\n')) });
    assert.deepEqual(
      unlimited.sources.map((s) => s.name),
      ['meminfo', 'psi', 'v8-heap'],
    );
    assert.match(unlimited.skipped[0].reason, /no memory.high or memory.max limit/);
    const hybrid = autoReclaimSources({
      readFile: files({
        '/proc/self/cgroup': fixture('cgroup.hybrid.txt'),
        '/proc/self/mountinfo': fixture('mountinfo.hybrid.txt'),
        '/proc/meminfo': fixture('meminfo.host.txt'),
      }),
    });
    assert.deepEqual(
      hybrid.sources.map((s) => s.name),
      ['meminfo', 'v8-heap'],
    );
    assert.deepEqual(
      hybrid.skipped.map((s) => [s.name, /v1|does not exist/.test(s.reason)]),
      [
        ['cgroup', true],
        ['psi', true],
      ],
    );
  });

  it('adds a budget over the caches, RSS or a function, plus extra sources; honours opt-outs', () => {
    const reg = new ShrinkerRegistry();
    const f = new FakeShrinker('c', 10, 1000);
    reg.register(f);
    const plan = autoReclaimSources({
      readFile: files({}),
      registry: reg,
      budgetBytes: 5000,
      heap: false,
      sources: [budgetSource({ limitBytes: 1, usage: () => 0, name: 'extra' })],
    });
    assert.deepEqual(
      plan.sources.map((s) => s.name),
      ['budget', 'extra'],
    );
    const b = plan.sources[0].sample(0);
    assert.equal(b.figures.usageBytes, 10_000);
    assert.equal(b.level, 'critical');
    const rss = autoReclaimSources({
      readFile: files({}),
      heap: false,
      budgetBytes: 2 ** 40,
      budgetOf: 'rss',
    });
    assert.ok(rss.sources[0].sample(0).figures.usageBytes > 2 ** 20);
    const fn = autoReclaimSources({ readFile: files({}), heap: false, budgetBytes: 10, budgetOf: () => 7 });
    assert.equal(fn.sources[0].sample(0).figures.usageBytes, 7);
    const none = autoReclaimSources({ cgroup: false, meminfo: false, psi: false, heap: false });
    assert.equal(none.sources.length, 0);
    assert.deepEqual(none.skipped, []);
    assert.throws(() => autoReclaimSources({ budgetBytes: 1, budgetOf: 'heap' as never }), ZsError);
    assert.throws(() => autoReclaimSources({ budgetBytes: 0 }), ZsError);
  });

  it('starts a running monitor on this machine', async () => {
    const reg = new ShrinkerRegistry();
    const m = startAutoReclaim({ registry: reg, intervalMs: 50 });
    try {
      assert.equal(m.running, true);
      assert.ok(m.counters.polls >= 1);
      const names = m.sources.map((s) => s.name);
      assert.ok(names.includes('v8-heap'));
      assert.ok(names.includes('cgroup') !== (names.includes('meminfo') || names.includes('psi')));
      for (const s of m.lastSamples) assert.notEqual(s.status, 'unavailable', `${s.source}: ${s.reason}`);
      // Two more polls come from the timer by themselves (counted as events, whenever they fire).
      // The poll timer is unref'd: a ref'd timer that never fires keeps the process up meanwhile.
      const first = m.counters.polls;
      const keepAlive = setInterval(() => undefined, 60_000);
      await new Promise<void>((r) => {
        let seen = 0;
        const off = m.on('poll', () => {
          if (++seen === 2) {
            off();
            r();
          }
        });
      }).finally(() => clearInterval(keepAlive));
      assert.equal(m.counters.polls, first + 2);
    } finally {
      m.stop();
    }
  });

  it('never keeps the process alive', () => {
    // The timeout only stops a child that hangs (it would end with a signal); the child itself
    // exits as soon as its script ends, whatever the load.
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'fixtures', 'idle-child.ts')], {
      encoding: 'utf8',
      timeout: 300_000,
    });
    assert.equal(r.signal, null, 'the child had to be killed: something kept it alive');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout.trim()) as { running: boolean; polls: number; refTimers: number };
    assert.equal(out.running, true, 'the monitor was running when the script ended');
    assert.equal(out.polls, 1);
    assert.equal(out.refTimers, 0, 'the poll timer does not hold the event loop');
  });
});
