// The page's script, served from the handler's own route (the CSP allows scripts from 'self'
// only). It writes every value with textContent: domain names and error messages come from
// peers. Rows are updated in place, so a focused button keeps its focus across updates.
// Plain ES2017 without template literals, so it can live in this string.
export const PAGE_SCRIPT = `'use strict';
(function () {
  var STATES = {
    established: ['✔', 'ok'], idle: ['○', 'busy'], connecting: ['…', 'busy'], authenticating: ['…', 'busy'],
    admitting: ['…', 'busy'], 'backing-off': ['✖', 'bad'], closing: ['■', 'busy']
  };
  var RESULTS = { pass: '✔ pass', warn: '⚠ warn', fail: '✖ fail', skip: '– skip' };
  var DAY_MS = 24 * 60 * 60 * 1000;
  var rows = document.getElementById('rows');
  var empty = document.getElementById('empty');
  var announce = document.getElementById('announce');
  var federationState = document.getElementById('federation-state');
  var connection = document.getElementById('connection');
  var byKey = new Map();
  var lastState = new Map();
  var running = new Set();

  function keyOf(d) { return d.direction + ' ' + d.local + ' ' + d.remote; }
  function set(node, text, className) {
    if (node.textContent !== text) node.textContent = text;
    if (className !== undefined && node.className !== className) node.className = className;
  }
  function time(iso) { var d = new Date(iso); return isNaN(d) ? String(iso) : d.toLocaleString(); }
  function expiry(certificate) {
    if (!certificate) return ['—', ''];
    var until = new Date(certificate.validTo);
    if (isNaN(until)) return [String(certificate.validTo), ''];
    var days = Math.floor((until - Date.now()) / DAY_MS);
    var text = until.toISOString().slice(0, 10) + (days < 0 ? ' (expired)' : ' (in ' + days + ' days)');
    if (!certificate.trusted) text += ' — untrusted';
    return [days < 30 || !certificate.trusted ? '⚠ ' + text : text, days < 30 || !certificate.trusted ? 'state-bad' : ''];
  }

  function newRow(d) {
    var tr = document.createElement('tr');
    var th = document.createElement('th');
    th.scope = 'row';
    tr.appendChild(th);
    for (var i = 0; i < 8; i++) tr.appendChild(document.createElement('td'));
    var action = document.createElement('td');
    var button = document.createElement('button');
    button.type = 'button';
    button.textContent = 'Run doctor';
    button.setAttribute('aria-label', 'Run doctor for ' + d.remote);
    button.dataset.domain = d.remote;
    button.addEventListener('click', function () { runDoctor(d.remote, button); });
    action.appendChild(button);
    tr.appendChild(action);
    return tr;
  }

  function fill(tr, d) {
    var c = tr.cells;
    var state = STATES[d.state] || ['?', 'busy'];
    var cert = expiry(d.peerCertificate);
    set(c[0], d.remote || '(not yet known)');
    set(c[1], d.direction === 'outbound' ? '→ outbound' : '← inbound');
    set(c[2], state[0] + ' ' + d.state, 'state-' + state[1]);
    set(c[3], d.authMechanism || '—');
    set(c[4], d.tlsVersion || (d.state === 'established' ? '✖ none' : '—'));
    set(c[5], cert[0], cert[1]);
    set(c[6], d.queued + ' / ' + d.unacknowledged, 'number');
    set(c[7], d.stanzasIn + ' / ' + d.stanzasOut, 'number');
    set(c[8], d.lastError ? d.lastError.condition + ': ' + d.lastError.message + ' (' + time(d.lastError.at) + ')' : '—', 'error');
  }

  function render(status) {
    set(federationState, 'Federation ' + status.state + ' for ' + status.localDomains.join(', '));
    var seen = new Set();
    var changes = [];
    var sorted = status.domains.slice().sort(function (a, b) {
      return a.remote < b.remote ? -1 : a.remote > b.remote ? 1 : a.direction < b.direction ? -1 : 1;
    });
    sorted.forEach(function (d, index) {
      var key = keyOf(d);
      seen.add(key);
      var tr = byKey.get(key);
      if (!tr) { tr = newRow(d); byKey.set(key, tr); }
      if (rows.children[index] !== tr) rows.insertBefore(tr, rows.children[index] || null);
      fill(tr, d);
      var before = lastState.get(key);
      if (before !== d.state) changes.push(d.remote + ' ' + d.direction + ': ' + (before ? before + ' → ' : '') + d.state);
      lastState.set(key, d.state);
    });
    byKey.forEach(function (tr, key) {
      if (seen.has(key)) return;
      tr.remove();
      byKey.delete(key);
      lastState.delete(key);
      changes.push(key.split(' ').pop() + ' ' + key.split(' ')[0] + ': gone');
    });
    empty.hidden = sorted.length > 0;
    if (changes.length > 0) set(announce, changes.join('; '));
  }

  function runDoctor(domain, button) {
    if (running.has(domain)) return;
    running.add(domain);
    button.setAttribute('aria-busy', 'true');
    button.textContent = 'Running…';
    var summary = document.getElementById('doctor-summary');
    set(summary, 'Running the doctor for ' + domain + '…');
    fetch('ui/doctor?domain=' + encodeURIComponent(domain), {
      method: 'POST', credentials: 'same-origin', headers: { 'X-Status-Page': '1' }
    }).then(function (res) {
      return res.json().then(function (body) { return { ok: res.ok, body: body }; });
    }).then(function (answer) {
      if (!answer.ok) throw new Error(answer.body.error ? answer.body.error.message : 'the doctor did not answer');
      showReport(answer.body);
    }).catch(function (error) {
      set(summary, '✖ Doctor for ' + domain + ': ' + error.message);
    }).then(function () {
      running.delete(domain);
      button.removeAttribute('aria-busy');
      button.textContent = 'Run doctor';
    });
  }

  function showReport(report) {
    var s = report.summary;
    set(document.getElementById('doctor-summary'), (report.ok ? '✔ ' : '✖ ') + 'Doctor for ' + report.domain + ': ' +
      s.fail + ' failed, ' + s.warn + ' warned, ' + s.pass + ' passed, ' + s.skip + ' skipped');
    var body = document.getElementById('doctor-rows');
    body.replaceChildren();
    report.results.forEach(function (r) {
      var tr = document.createElement('tr');
      var finding = r.message + (r.hint ? ' — ' + r.hint : '');
      [[RESULTS[r.status] || r.status, 'status-' + r.status], [r.step], [r.code], [r.target || '—'], [finding, 'error']]
        .forEach(function (cell) {
          var td = document.createElement('td');
          td.textContent = cell[0];
          if (cell[1]) td.className = cell[1];
          tr.appendChild(td);
        });
      body.appendChild(tr);
    });
    document.getElementById('doctor-steps').hidden = false;
  }

  var source = new EventSource('ui/events');
  source.addEventListener('status', function (event) { render(JSON.parse(event.data)); });
  source.onopen = function () { set(connection, '· live'); };
  source.onerror = function () { set(connection, '· ✖ disconnected, retrying…'); };
})();
`
