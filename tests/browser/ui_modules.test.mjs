// The dashboard's pure modules, loaded straight from ui-static/ by node (no
// browser needed): formatting and the link builder every host link goes
// through. Run by run_browser_tests.py together with the browser scenario.
import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import * as fmt from '../../ui-static/js/format.js';
import {route, safeHref} from '../../ui-static/js/dom.js';
import {certificateProblem} from '../../ui-static/js/flow_details.js';

describe('links', () => {
  it('a hostile host name stays inside one encoded fragment segment', () => {
    const href = route('hosts', '"><img src=x onerror=alert(1)>/../#', {vlan: '1&x=<script>'});
    assert.equal(href, '#/hosts/%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E%2F..%2F%23?vlan=1%26x%3D%3Cscript%3E');
    assert.ok(!/[<>"\s]/.test(href));
  });

  it('only #/ fragments become hrefs', () => {
    assert.equal(safeHref('javascript:alert(1)'), '#/');
    assert.equal(safeHref('//evil.example/'), '#/');
    assert.equal(safeHref('data:text/html,x'), '#/');
    assert.equal(safeHref('#/hosts'), '#/hosts');
  });

  it('empty query values are left out', () => {
    assert.equal(route('flows', {host: '10.0.0.1', vlan: '', app: null}), '#/flows?host=10.0.0.1');
    assert.equal(route('pools'), '#/pools');
  });
});

describe('formatting', () => {
  it('bytes use SI units', () => {
    assert.equal(fmt.bytes(0), '0 B');
    assert.equal(fmt.bytes(999), '999 B');
    assert.equal(fmt.bytes(1500), '1.50 KB');
    assert.equal(fmt.bytes(123456789), '123.5 MB');
    assert.equal(fmt.bytes(undefined), '–');
  });

  it('rates are the API\'s bits per second', () => {
    assert.equal(fmt.bps(0), '0 bit/s');
    assert.equal(fmt.bps(138400), '138.4 kbit/s');
    assert.equal(fmt.bps(2.5e9), '2.50 Gbit/s');
    assert.equal(fmt.bps(null), '–');
  });

  it('times are read as seconds, milliseconds or nanoseconds by magnitude, or ISO text', () => {
    const t = Date.UTC(2024, 4, 1, 12, 0, 0);
    for (const v of [t / 1000, t, t * 1e6, '2024-05-01T12:00:00Z']) {
      assert.equal(fmt.toDate(v).getTime(), t, String(v));
    }
    assert.equal(fmt.toDate(0), null);
    assert.equal(fmt.toDate('not a time'), null);
    assert.equal(fmt.time(null), '–');
  });

  it('a host label names the VLAN only when there is one', () => {
    assert.equal(fmt.hostLabel({ip: '10.0.0.1', vlan: 0}), '10.0.0.1');
    assert.equal(fmt.hostLabel({ip: '10.0.0.1', vlan: 20}), '10.0.0.1 @20');
  });
});

describe('flow details', () => {
  it('a certificate is marked when the flow falls outside its validity', () => {
    const cert = {not_before: 1000, not_after: 2000};
    assert.equal(certificateProblem(cert, 1500), null);
    assert.equal(certificateProblem(cert, 1000), null);
    assert.equal(certificateProblem(cert, 2000), null);
    assert.equal(certificateProblem(cert, 2000.5), 'expired');
    assert.equal(certificateProblem(cert, 999), 'not yet valid');
    assert.equal(certificateProblem({not_before: null, not_after: 2000}, 3000), 'expired');
    assert.equal(certificateProblem({not_before: 1000, not_after: null}, 3000), null);
    assert.equal(certificateProblem(null, 3000), null);
    assert.equal(certificateProblem(cert, null), null);
  });
});
