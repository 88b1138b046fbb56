// The charts' pure module (ui-static/js/series.js): which bucket a range
// asks the API for, and how answers become uPlot's columns. Run by
// run_browser_tests.py with the other node tests (no browser needed).
import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import * as series from '../../ui-static/js/series.js';

const now = 1_700_000_000;

describe('chart ranges', () => {
  it('short ranges ask for minutes, a day for 5 minutes, a week for the hourly roll-ups', () => {
    assert.equal(series.rangeWindow('3600', now).step, 60);
    assert.equal(series.rangeWindow(String(6 * 3600), now).step, 60);
    assert.equal(series.rangeWindow('86400', now).step, 300);
    const week = series.rangeWindow(String(7 * 86400), now);
    assert.equal(week.step, 3600);
    assert.equal((week.to - week.from) / week.step <= 7 * 24 + 1, true, 'one point per hour');
  });

  it('the window ends now and starts on a bucket boundary', () => {
    const w = series.rangeWindow('86400', now + 17);
    assert.equal(w.to, now + 17);
    assert.equal(w.from % w.step, 0);
    assert.ok(w.from <= now + 17 - 86400 && w.from > now + 17 - 86400 - w.step);
  });

  it('a custom range takes its own ends and refuses an end before its start', () => {
    const w = series.rangeWindow('custom', now, {from: now - 3 * 86400, to: now - 86400});
    assert.equal(w.step, 3600);
    assert.equal(w.to, now - 86400);
    assert.equal(series.rangeWindow('custom', now, {from: now, to: now - 60}), null);
    assert.equal(series.rangeWindow('custom', now, {from: NaN, to: now}), null);
    assert.equal(series.rangeWindow('bogus', now), null);
  });

  it('a very long custom range widens the step by whole hours to stay under the API limit', () => {
    const w = series.rangeWindow('custom', now, {from: now - 2 * 365 * 86400, to: now});
    assert.equal(w.step % 3600, 0);
    assert.ok((w.to - w.from) / w.step <= 2001, `${(w.to - w.from) / w.step} points`);
  });
});

describe('chart data', () => {
  it('bytes per bucket become bits per second, counts per bucket a rate per second', () => {
    assert.equal(series.toUnit('bits', 7500, 60), 1000);
    assert.equal(series.toUnit('rate', 120, 60), 2);
    assert.equal(series.toUnit('count', 42, 3600), 42);
  });

  it('two metrics share one x axis, a missing bucket is a gap not a zero', () => {
    const sent = [{ts: 60, value: 60}, {ts: 180, value: 120}];
    const rcvd = [{ts: 120, value: 30}, {ts: 180, value: 60}];
    assert.deepEqual(series.align([sent, rcvd], 'rate', 60), [[60, 120, 180], [1, null, 2], [null, 0.5, 1]]);
  });

  it('every scope the API serves has charts, and each metric is named once per scope', () => {
    assert.deepEqual(Object.keys(series.scopes).sort(), ['app', 'global', 'host', 'interface', 'pool', 'probe']);
    for (const [name, s] of Object.entries(series.scopes)) {
      const metrics = s.charts.flatMap((c) => c.metrics.map(([m]) => m));
      assert.equal(new Set(metrics).size, metrics.length, name);
      assert.ok(metrics.every((m) => /^[a-z0-9_]+$/.test(m)), name);
    }
  });
});
