// The cgroup v2 source: discovery (v2, hybrid, v1, namespaces), limits, working set, events, PSI, bad files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ZsError } from '../../src/index.js';
import {
  keyedValue,
  parseCgroup2Mount,
  parseKeyed,
  parseLimit,
  parseProcCgroup,
} from '../../src/internals.js';
import { cgroupSource } from '../../src/node.js';
import { files, fixture, fsError } from './helpers.js';

const MiB = 2 ** 20;
const CG = '/sys/fs/cgroup';

const MOUNTINFO_V2 =
  '22 27 0:21 / /proc rw,relatime - proc proc rw\n' +
  '30 24 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate,memory_recursiveprot\n';

function stat(inactiveFile: number): string {
  return (
    'anon 536870912\nfile 268435456\nkernel 8388608\nkernel_stack 163840\npagetables 1048576\n' +
    'sock 0\nshmem 0\nfile_mapped 1048576\nfile_dirty 0\nfile_writeback 0\nanon_thp 0\n' +
    `inactive_anon 0\nactive_anon 536870912\ninactive_file ${inactiveFile}\nactive_file 67108864\n` +
    'unevictable 0\nslab_reclaimable 2097152\nslab_unreclaimable 1048576\npgfault 123456\n'
  );
}

function events(high: number, max: number, oom = 0): string {
  return `low 0\nhigh ${high}\nmax ${max}\noom ${oom}\noom_kill 0\noom_group_kill 0\n`;
}

const PSI_ZERO =
  'some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n';

/** A container with its own cgroup namespace: its cgroup is the mount's root. */
function container(): Record<string, string | Error> {
  return {
    '/proc/self/cgroup': '0::/\n',
    '/proc/self/mountinfo': MOUNTINFO_V2,
    [`${CG}/memory.current`]: `${900 * MiB}\n`,
    [`${CG}/memory.max`]: `${1024 * MiB}\n`,
    [`${CG}/memory.high`]: 'max\n',
    [`${CG}/memory.stat`]: stat(200 * MiB),
    [`${CG}/memory.events`]: events(0, 0),
    [`${CG}/memory.pressure`]: PSI_ZERO,
  };
}

describe('cgroup file parsing', () => {
  it('finds the v2 path, and refuses hybrid and v1 hierarchies', () => {
    assert.deepEqual(parseProcCgroup('0::/system.slice/app.service\n'), {
      path: '/system.slice/app.service',
    });
    const hybrid = parseProcCgroup(fixture('cgroup.hybrid.txt'));
    assert.ok('reason' in hybrid);
    assert.equal(hybrid.final, true);
    assert.match(hybrid.reason, /memory controller is on cgroup v1 \(hybrid hierarchy/);
    const legacy = parseProcCgroup('4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n');
    assert.ok('reason' in legacy && /legacy/.test(legacy.reason));
    const noV2 = parseProcCgroup('3:cpu:/\n');
    assert.ok('reason' in noV2 && /no cgroup v2 entry/.test(noV2.reason));
    const garbage = parseProcCgroup('hello world\n');
    assert.ok('reason' in garbage && garbage.final === false);
    const noPath = parseProcCgroup('0::\n');
    assert.ok('reason' in noPath && /no path/.test(noPath.reason));
  });

  it('finds the cgroup2 mount, unescaping the path', () => {
    assert.deepEqual(parseCgroup2Mount(MOUNTINFO_V2), { mount: '/sys/fs/cgroup', root: '/' });
    assert.deepEqual(parseCgroup2Mount(fixture('mountinfo.hybrid.txt')), {
      mount: '/sys/fs/cgroup/unified',
      root: '/',
    });
    assert.deepEqual(parseCgroup2Mount('41 31 0:38 /kube\\040pods /mnt/cg\\134x rw - cgroup2 cgroup2 rw\n'), {
      mount: '/mnt/cg\\x',
      root: '/kube pods',
    });
    assert.equal(parseCgroup2Mount('22 27 0:21 / /proc rw - proc proc rw\n'), null);
  });

  it('parses limits and keyed files', () => {
    assert.equal(parseLimit('max\n'), Number.POSITIVE_INFINITY);
    assert.equal(parseLimit('1073741824\n'), 1073741824);
    assert.ok(Number.isNaN(parseLimit('1G')));
    assert.ok(Number.isNaN(parseLimit('')));
    assert.equal(parseKeyed(events(3, 1))?.get('high'), 3);
    assert.equal(parseKeyed('high x\n'), null);
    assert.equal(keyedValue(stat(123), 'inactive_file'), 123);
    assert.equal(keyedValue('inactive_file 7', 'inactive_file'), 7);
    assert.equal(keyedValue('active_file 5\ninactive_anon 1\n', 'inactive_file'), Number.NaN);
    assert.equal(keyedValue('inactive_file_x 5\ninactive_file 9x\n', 'inactive_file'), Number.NaN);
    assert.equal(keyedValue('xinactive_file 5\n', 'inactive_file'), Number.NaN);
  });
});

describe('cgroup source', () => {
  it('rates the working set of a container against memory.max', () => {
    const map = container();
    const s = cgroupSource({ readFile: files(map) });
    const a = s.sample(0);
    assert.equal(a.status, 'ok', a.reason);
    assert.equal(a.level, 'none');
    assert.equal(a.figures.workingSetBytes, 700 * MiB);
    assert.equal(a.figures.limitBytes, 1024 * MiB);
    assert.equal(a.figures.maxBytes, 1024 * MiB);
    assert.equal(a.figures.highBytes, Number.POSITIVE_INFINITY);
    assert.equal(a.figures.depth, 0);
    // Page cache dropped, anonymous memory grew: 950 MiB working set = 92.8 %.
    map[`${CG}/memory.current`] = `${1000 * MiB}\n`;
    map[`${CG}/memory.stat`] = stat(50 * MiB);
    const b = s.sample(1000);
    assert.equal(b.level, 'medium');
    assert.match(b.reason, /working set 996147200 B is/);
    assert.equal(b.reclaimBytes, Math.round(950 * MiB - 0.8 * 1024 * MiB));
    map[`${CG}/memory.stat`] = stat(0);
    assert.equal(s.sample(2000).level, 'critical');
  });

  it('uses memory.current when workingSet is off, and memory.high when lower than memory.max', () => {
    const map = container();
    map[`${CG}/memory.high`] = `${950 * MiB}\n`;
    const s = cgroupSource({ readFile: files(map), workingSet: false });
    const a = s.sample(0);
    assert.equal(a.figures.workingSetBytes, 900 * MiB);
    assert.equal(a.figures.limitBytes, 950 * MiB);
    assert.equal(a.level, 'medium', '900 / 950 = 94.7 %');
  });

  it('turns new memory.events into levels: high → medium, max/oom → critical', () => {
    const map = container();
    const s = cgroupSource({ readFile: files(map) });
    map[`${CG}/memory.events`] = events(10, 2);
    assert.equal(s.sample(0).level, 'none', 'the first poll only records the counters');
    map[`${CG}/memory.events`] = events(13, 2);
    const hi = s.sample(1000);
    assert.equal(hi.level, 'medium');
    assert.equal(hi.figures.highEvents, 3);
    assert.match(hi.reason, /3 memory.high events/);
    assert.equal(hi.reclaimBytes, 0, 'events give no byte target');
    map[`${CG}/memory.events`] = events(13, 3);
    const mx = s.sample(2000);
    assert.equal(mx.level, 'critical');
    assert.equal(mx.figures.maxEvents, 1);
    map[`${CG}/memory.events`] = events(13, 3, 1);
    assert.equal(s.sample(3000).level, 'critical');
    assert.equal(s.sample(4000).level, 'none', 'no new events');
    map[`${CG}/memory.events`] = 'garbage';
    const g = s.sample(5000);
    assert.equal(g.status, 'ok', 'unreadable events do not spoil the reading');
    assert.equal(g.figures.highEvents, 0);
  });

  it('rates the cgroup’s memory.pressure', () => {
    const map = container();
    const s = cgroupSource({ readFile: files(map) });
    assert.equal(s.sample(0).level, 'none');
    map[`${CG}/memory.pressure`] =
      'some avg10=0.00 avg60=0.00 avg300=0.00 total=400000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=300000\n';
    const p = s.sample(1000);
    assert.equal(p.figures.fullStallPct, 30);
    assert.equal(p.level, 'critical');
    assert.match(p.reason, /memory.pressure: full stall 30 %/);
    const off = cgroupSource({ readFile: files(map), psi: false }).sample(0);
    assert.equal(off.figures.someStallPct, undefined);
  });

  it('watches an ancestor’s limit (systemd slice) and picks the least headroom', () => {
    const own = `${CG}/system.slice/app.service`;
    const slice = `${CG}/system.slice`;
    const map: Record<string, string | Error> = {
      '/proc/self/cgroup': '0::/system.slice/app.service\n',
      '/proc/self/mountinfo': MOUNTINFO_V2,
      [`${own}/memory.current`]: `${300 * MiB}\n`,
      [`${own}/memory.max`]: 'max\n',
      [`${own}/memory.high`]: 'max\n',
      [`${own}/memory.pressure`]: PSI_ZERO,
      [`${slice}/memory.current`]: `${1900 * MiB}\n`,
      [`${slice}/memory.max`]: `${2048 * MiB}\n`,
      [`${slice}/memory.high`]: 'max\n',
      [`${slice}/memory.stat`]: stat(0),
      [`${slice}/memory.events`]: events(0, 0),
      // The root cgroup has no memory.current / memory.max.
      [`${CG}/memory.pressure`]: PSI_ZERO,
    };
    const reader = files(map);
    const s = cgroupSource({ readFile: reader });
    const loc = s.locate();
    assert.deepEqual(loc.ok && loc.dirs, [own, slice]);
    const a = s.sample(0);
    assert.equal(a.status, 'ok', a.reason);
    assert.equal(a.figures.depth, 1);
    assert.equal(a.figures.limitBytes, 2048 * MiB);
    assert.equal(a.level, 'medium', '1900 / 2048 = 92.8 %');
    assert.match(a.reason, /system.slice$/);
    // The service gets its own, tighter limit: it becomes the limiting cgroup.
    map[`${own}/memory.max`] = `${320 * MiB}\n`;
    const b = s.sample(1000);
    assert.equal(b.figures.depth, 0);
    assert.equal(b.figures.limitBytes, 320 * MiB);
    // Discovery happened once.
    assert.equal(reader.reads.get('/proc/self/cgroup'), 1);
  });

  it('is unavailable with a reason on hybrid, v1 and root-cgroup hosts, and without a limit', () => {
    const hybrid = cgroupSource({
      readFile: files({
        '/proc/self/cgroup': fixture('cgroup.hybrid.txt'),
        '/proc/self/mountinfo': fixture('mountinfo.hybrid.txt'),
      }),
    }).sample(0);
    assert.equal(hybrid.status, 'unavailable');
    assert.match(hybrid.reason, /cgroup v1/);
    const root = cgroupSource({
      readFile: files({ '/proc/self/cgroup': '0::/\n', '/proc/self/mountinfo': MOUNTINFO_V2 }),
    }).sample(0);
    assert.equal(root.status, 'unavailable');
    assert.match(root.reason, /memory.current does not exist/);
    const noMount = cgroupSource({
      readFile: files({
        '/proc/self/cgroup': '0::/\n',
        '/proc/self/mountinfo': '22 27 0:21 / /proc rw - proc proc rw\n',
      }),
    }).sample(0);
    assert.equal(noMount.status, 'unavailable');
    assert.match(noMount.reason, /not mounted/);
    const notLinux = cgroupSource({ readFile: files({}) }).sample(0);
    assert.equal(notLinux.status, 'unavailable');
    // No limit: unavailable, until one is set (limits are read every poll).
    const map = container();
    map[`${CG}/memory.max`] = 'max\n';
    const s = cgroupSource({ readFile: files(map) });
    const u = s.sample(0);
    assert.equal(u.status, 'unavailable');
    assert.match(u.reason, /no memory.high or memory.max limit/);
    map[`${CG}/memory.high`] = `${1000 * MiB}\n`;
    assert.equal(s.sample(1000).status, 'ok');
  });

  it('maps the path through a mount whose root is a sub-cgroup, and rejects paths outside it', () => {
    const mi = '41 31 0:38 /kubepods/pod1 /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n';
    const map = container(); // the mount point (cgroup pod1) keeps its files and its 1 GiB limit
    map['/proc/self/mountinfo'] = mi;
    map['/proc/self/cgroup'] = '0::/kubepods/pod1/ctr\n';
    map[`${CG}/ctr/memory.current`] = `${10 * MiB}\n`;
    map[`${CG}/ctr/memory.max`] = `${100 * MiB}\n`;
    const s = cgroupSource({ readFile: files(map) });
    const loc = s.locate();
    assert.ok(loc.ok, loc.ok ? '' : loc.reason);
    assert.deepEqual(loc.dirs, [`${CG}/ctr`, CG]);
    const x = s.sample(0);
    assert.equal(x.figures.limitBytes, 100 * MiB, 'ctr: 90 MiB headroom, pod1: 124 MiB');
    assert.equal(x.figures.depth, 0);
    map['/proc/self/cgroup'] = '0::/elsewhere\n';
    const out = cgroupSource({ readFile: files(map) }).sample(0);
    assert.equal(out.status, 'unavailable');
    assert.match(out.reason, /outside/);
    map['/proc/self/cgroup'] = '0::/../../x\n';
    map['/proc/self/mountinfo'] = MOUNTINFO_V2;
    assert.match(cgroupSource({ readFile: files(map) }).sample(0).reason, /outside this cgroup namespace/);
  });

  it('reports garbage, truncation and permission errors without throwing', () => {
    const cases: [string, string | Error, 'invalid' | 'unavailable', RegExp][] = [
      [`${CG}/memory.max`, 'lots\n', 'invalid', /not a limit/],
      [`${CG}/memory.max`, '', 'invalid', /not a limit/],
      [`${CG}/memory.high`, fsError('EIO'), 'invalid', /EIO/],
      [`${CG}/memory.current`, '12ab\n', 'invalid', /not a byte count/],
      ['/proc/self/cgroup', 'garbage', 'invalid', /malformed/],
      ['/proc/self/cgroup', fsError('EACCES'), 'unavailable', /EACCES/],
    ];
    for (const [path, content, status, re] of cases) {
      const map = container();
      const s = cgroupSource({ readFile: files(map) });
      if (path !== '/proc/self/cgroup') assert.equal(s.sample(0).status, 'ok');
      map[path] = content;
      const x = s.sample(1000);
      assert.equal(x.status, status, `${path} = ${String(content)}: ${x.reason}`);
      assert.equal(x.level, 'none');
      assert.match(x.reason, re);
    }
    // Denied memory.current at discovery: unavailable, and it stays so (no re-discovery).
    const map = container();
    map[`${CG}/memory.current`] = fsError('EACCES');
    const reader = files(map);
    const s = cgroupSource({ readFile: reader });
    assert.equal(s.sample(0).status, 'unavailable');
    assert.equal(s.sample(1).status, 'unavailable');
    assert.equal(reader.reads.get('/proc/self/cgroup'), 1);
    // A transient discovery failure is retried.
    const map2 = container();
    map2['/proc/self/cgroup'] = 'garbage';
    const r2 = files(map2);
    const s2 = cgroupSource({ readFile: r2 });
    assert.equal(s2.sample(0).status, 'invalid');
    map2['/proc/self/cgroup'] = '0::/\n';
    assert.equal(s2.sample(1).status, 'ok');
    // Missing memory.stat: usage falls back to memory.current.
    const map3 = container();
    delete map3[`${CG}/memory.stat`];
    assert.equal(cgroupSource({ readFile: files(map3) }).sample(0).figures.workingSetBytes, 900 * MiB);
  });

  it('can watch a given directory', () => {
    const map = container();
    const s = cgroupSource({ readFile: files(map), dir: `${CG}/` });
    const loc = s.locate();
    assert.ok(loc.ok);
    assert.deepEqual(loc.dirs, [CG]);
    assert.equal(s.sample(0).status, 'ok');
    assert.throws(() => cgroupSource({ dir: '' }), ZsError);
    assert.throws(() => cgroupSource({ targetRatio: 2 }), ZsError);
  });

  it('never throws on this machine; on a host whose memory is on v1 it says so', () => {
    const s = cgroupSource();
    const x = s.sample(0);
    assert.ok(x.status === 'ok' || x.status === 'unavailable', `${x.status}: ${x.reason}`);
    let own = '';
    try {
      own = readFileSync('/proc/self/cgroup', 'latin1');
    } catch {
      // not Linux
    }
    const v1 = own.split('\n').some((l) => /^\d+:[^:]*\bmemory\b[^:]*:/.test(l));
    if (v1) {
      assert.equal(x.status, 'unavailable');
      assert.match(x.reason, /cgroup v1/);
    }
  });
});
