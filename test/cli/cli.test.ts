// The zsmalloc command's help, version and errors, run in-process through main(argv): every
// error is one line naming the command and what to do; usage errors exit 2, runtime errors 1.
// Two real processes check the program entry itself (through a symbolic link, as npm installs it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { PROFILE_NAMES } from '../../src/pool/profiles.js';
import { assertOneLineError, cli } from './run-cli.js';

const root = resolve(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'zsmalloc-cli-'));
const COMMANDS = ['demo', 'replay', 'classes', 'bench'];
const SUITES = ['pool', 'copy', 'replay', 'compaction', 'pressure', 'codecs', 'store', 'scaling'];

describe('zsmalloc help and version', () => {
  it('--help lists every command on stdout, exit 0; each command has its own --help', async () => {
    const r = await cli('--help');
    assert.equal(r.status, 0);
    assert.equal(r.stderr, '');
    for (const c of COMMANDS) {
      assert.match(r.stdout, new RegExp(`^  ${c}\\s+\\S`, 'm'), `${c} in the command list`);
      for (const h of [await cli(c, '--help'), await cli(c, '-h'), await cli('help', c)]) {
        assert.equal(h.status, 0);
        assert.match(h.stdout, new RegExp(`^usage: zsmalloc ${c}`));
      }
    }
    assert.match(r.stdout, /exit status: 0 success, 1 runtime error.*, 2 usage error/i);
  });

  it('no arguments: the usage on stderr, nothing on stdout, exit 2', async () => {
    const r = await cli();
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^usage: zsmalloc <command>/);
  });

  it('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) {
      const r = await cli(flag);
      assert.equal(r.status, 0);
      assert.equal(r.stdout.trim(), pkg.version);
    }
  });

  it('--profile and --page-size read and default the same in classes and replay', async () => {
    const trace = join(tmp, 'ok.trace');
    writeFileSync(trace, 'a 1 100\na 2 3000\nf 1\nc\n');
    const classes = await cli('classes');
    const replay = await cli('replay', trace);
    assert.equal(classes.status, 0);
    assert.equal(replay.status, 0, replay.stderr);
    assert.match(classes.stdout, /^profile default, page size 4096:/);
    assert.match(replay.stdout, /profile default, page size 4096/);
    for (const c of ['classes', 'replay'])
      assert.match((await cli(c, '--help')).stdout, /\(default: default,/);
    const k = await cli('replay', trace, '--profile', 'linux-6.12', '--page-size', '16384', '--json');
    assert.equal(k.status, 0);
    const j = JSON.parse(k.stdout);
    assert.equal(j.profile, 'linux-6.12');
    assert.equal(j.page_size, 16384);
  });
});

describe('zsmalloc usage errors: one line, exit 2', () => {
  it('unknown options and commands', async () => {
    assertOneLineError(
      await cli('--nope'),
      2,
      '',
      /^zsmalloc: unknown option '--nope' \(see: zsmalloc --help\)$/,
    );
    assertOneLineError(
      await cli('frobnicate'),
      2,
      '',
      /unknown command 'frobnicate' \(commands: demo, replay/,
    );
    assertOneLineError(await cli('help', 'frobnicate'), 2, '', /help: unknown command 'frobnicate'/);
    assertOneLineError(
      await cli('demo', '--bogus'),
      2,
      'demo',
      /unknown option '--bogus' \(see: zsmalloc demo --help\)/,
    );
    assertOneLineError(await cli('replay', '--bogus', 'x'), 2, 'replay', /unknown option '--bogus'/);
    assertOneLineError(await cli('classes', 'extra'), 2, 'classes', /unexpected argument 'extra'/);
    assertOneLineError(await cli('demo', '--json=yes'), 2, 'demo', /--json takes no value/);
  });

  it('bad or missing option values say what is valid', async () => {
    assertOneLineError(
      await cli('demo', '--size', '-5'),
      2,
      'demo',
      /--size must be an integer from 1 to 4096, got '-5'/,
    );
    assertOneLineError(
      await cli('demo', '--size', 'lots'),
      2,
      'demo',
      /--size must be an integer from 1 to 4096, got 'lots'/,
    );
    assertOneLineError(
      await cli('demo', '--size', '0'),
      2,
      'demo',
      /--size must be an integer from 1 to 4096/,
    );
    assertOneLineError(await cli('demo', '--size'), 2, 'demo', /--size needs a value/);
    assertOneLineError(
      await cli('classes', '--profile'),
      2,
      'classes',
      /^zsmalloc classes: --profile needs a value \(see: zsmalloc classes --help\)$/,
    );
    assertOneLineError(await cli('classes', '--profile', '--json'), 2, 'classes', /--profile needs a value/);
    const valid = new RegExp(`unknown profile 'nope' \\(valid profiles: ${PROFILE_NAMES.join(', ')}\\)$`);
    assertOneLineError(await cli('classes', '--profile', 'nope'), 2, 'classes', valid);
    assertOneLineError(await cli('replay', 'x.trace', '--profile', 'nope'), 2, 'replay', valid);
    for (const ps of ['16', '5000', '-4096', '4096.0']) {
      for (const c of [['classes'], ['replay', 'x.trace']])
        assertOneLineError(
          await cli(...c, '--page-size', ps),
          2,
          c[0],
          /--page-size must be 4096, 16384 or 65536, got '/,
        );
    }
    assertOneLineError(await cli('demo', '--report', ''), 2, 'demo', /--report needs a file name/);
    assertOneLineError(await cli('demo', '--data', ''), 2, 'demo', /--data needs a directory/);
  });

  it('replay takes exactly one TRACE', async () => {
    assertOneLineError(await cli('replay'), 2, 'replay', /expected one TRACE file, got none/);
    assertOneLineError(await cli('replay', 'a', 'b'), 2, 'replay', /expected one TRACE file, got 'a' 'b'/);
  });

  it('bench --only: empty or unknown suites are rejected before anything runs, listing the valid ones', async () => {
    const list = SUITES.join(', ');
    for (const only of ['', ',', ' ']) {
      const r = await cli('bench', '--quick', '--only', only);
      assertOneLineError(
        r,
        2,
        'bench',
        new RegExp(`--only needs at least one suite \\(valid suites: ${list}\\)`),
      );
    }
    for (const [only, bad] of [
      ['nope', 'nope'],
      ['pool,', ''],
      ['pool,nope', 'nope'],
    ]) {
      const r = await cli('bench', '--quick', '--only', only);
      assertOneLineError(r, 2, 'bench', new RegExp(`unknown suite '${bad}' \\(valid suites: ${list}\\)`));
    }
  });
});

describe('zsmalloc runtime errors: one line, exit 1', () => {
  it('replay: a missing file, a directory, a malformed line, binary garbage', async () => {
    assertOneLineError(
      await cli('replay', '/nonexistent'),
      1,
      'replay',
      /^zsmalloc replay: no such file: \/nonexistent$/,
    );
    assertOneLineError(await cli('replay', tmp), 1, 'replay', /not a regular file: /);
    const trace = join(tmp, 'bad.trace');
    writeFileSync(trace, '# a comment\na 1 100\na 2 200\nf 1\nthis is not a command\nc\n');
    assertOneLineError(
      await cli('replay', trace),
      1,
      'replay',
      /line 5: unknown command .*"this is not a command"$/,
    );
    // The bad line is shown once, shortened, unprintable bytes as dots.
    const garbage = join(tmp, 'garbage.bin');
    writeFileSync(
      garbage,
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, ...new Array(200).fill(0), 10]),
    );
    const r = await cli('replay', garbage);
    assertOneLineError(
      r,
      1,
      'replay',
      /line 1: unknown command \(expected a, f, c, s, d, p or #\): "\.ELF\.{6}/,
    );
    assert.equal(r.stderr.split('ELF').length, 2, 'the garbage appears once');
    assert.ok(r.stderr.length < 200, `short: ${r.stderr.length} chars`);
  });

  it('demo: a missing or empty --data directory, a --report in a missing directory', async () => {
    assertOneLineError(
      await cli('demo', '--data', join(tmp, 'nope')),
      1,
      'demo',
      /nope: no such file or directory/,
    );
    const empty = join(tmp, 'empty');
    mkdirSync(empty);
    assertOneLineError(await cli('demo', '--data', empty), 1, 'demo', /no readable, non-empty regular files/);
    assertOneLineError(await cli('demo', '--report', join(tmp, 'no-dir', 'r.html')), 1, 'demo', /no-dir/);
  });
});

describe('the program entry (real processes)', () => {
  // As npm installs the bin: a symbolic link to the entry file.
  const link = join(tmp, 'zsmalloc-bin.ts');
  symlinkSync(join(root, 'src', 'cli', 'main.ts'), link);
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), link, ...args], {
      cwd: tmp,
      encoding: 'utf8',
    });

  it('--help through the link: stdout, exit 0', () => {
    const r = run('--help');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^usage: zsmalloc <command>/);
  });

  it('a usage error sets the exit status 2', () => {
    const r = run('classes', '--profile', 'nope');
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^zsmalloc classes: unknown profile 'nope'/);
  });
});
