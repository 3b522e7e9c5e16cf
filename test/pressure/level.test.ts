// Levels and threshold bands: ranks, banding, hysteresis, validation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ZsError } from '../../src/index.js';
import { bandLevel, isPressureLevel, levelRank, PRESSURE_LEVELS, worseLevel } from '../../src/internals.js';
import { checkThresholds } from '../../src/pressure/level.js';

const T = { low: 0.5, medium: 0.8, critical: 0.95 };

describe('pressure levels', () => {
  it('ranks the four levels in order and picks the worse', () => {
    assert.deepEqual(
      PRESSURE_LEVELS.map((l) => levelRank(l)),
      [0, 1, 2, 3],
    );
    assert.equal(worseLevel('low', 'critical'), 'critical');
    assert.equal(worseLevel('medium', 'none'), 'medium');
    assert.equal(isPressureLevel('medium'), true);
    assert.equal(isPressureLevel('high'), false);
    assert.equal(isPressureLevel(2), false);
  });

  it('bands a value with no history', () => {
    assert.equal(bandLevel(0.49, T), 'none');
    assert.equal(bandLevel(0.5, T), 'low');
    assert.equal(bandLevel(0.8, T), 'medium');
    assert.equal(bandLevel(0.95, T), 'critical');
    assert.equal(bandLevel(7, T), 'critical');
    assert.equal(bandLevel(Number.NaN, T), 'none');
    assert.equal(bandLevel(10, { low: 1, medium: 2, critical: Number.POSITIVE_INFINITY }), 'medium');
  });

  it('holds a level until the value falls a margin below its threshold', () => {
    // medium at 0.8 with a 10 % margin clears below 0.72.
    assert.equal(bandLevel(0.75, T, 'medium', 0.1), 'medium');
    assert.equal(bandLevel(0.7201, T, 'medium', 0.1), 'medium');
    assert.equal(bandLevel(0.719, T, 'medium', 0.1), 'low');
    // From critical, falling far: the highest level whose clear point is still reached.
    assert.equal(bandLevel(0.74, T, 'critical', 0.1), 'medium');
    assert.equal(bandLevel(0.46, T, 'critical', 0.1), 'low');
    assert.equal(bandLevel(0.44, T, 'critical', 0.1), 'none');
    // Rising is never delayed.
    assert.equal(bandLevel(0.96, T, 'low', 0.1), 'critical');
  });

  it('property: without a margin the band is monotone and history-free', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.constantFrom(...PRESSURE_LEVELS),
        (a, b, prev) => {
          const la = bandLevel(a, T, prev, 0);
          assert.equal(la, bandLevel(a, T));
          if (a <= b) assert.ok(levelRank(la) <= levelRank(bandLevel(b, T)));
        },
      ),
    );
  });

  it('property: with a margin the level is between the plain band and the previous level', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 2, noNaN: true }),
        fc.constantFrom(...PRESSURE_LEVELS),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        (v, prev, margin) => {
          const plain = levelRank(bandLevel(v, T));
          const held = levelRank(bandLevel(v, T, prev, margin));
          assert.ok(held >= plain);
          assert.ok(held <= Math.max(plain, levelRank(prev)));
          // Whatever the history, a value below every clear point is none.
          if (v < T.low * (1 - margin)) assert.equal(held, 0);
        },
      ),
    );
  });

  it('rejects thresholds out of order, NaN, and bad margins', () => {
    assert.throws(() => checkThresholds('x', { low: 0.9, medium: 0.8, critical: 1 }, 0), ZsError);
    assert.throws(() => checkThresholds('x', { low: Number.NaN, medium: 0.8, critical: 1 }, 0), ZsError);
    assert.throws(() => checkThresholds('x', T, 1), /margin/);
    assert.throws(() => checkThresholds('x', T, -0.1), /margin/);
    assert.deepEqual(checkThresholds('x', T, 0.2), T);
  });
});
