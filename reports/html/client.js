// smtptest HTML report, in the browser: the filter box, "failures only", and the
// load charts (uPlot, inlined). Plain script, no modules, no network.
(function () {
  'use strict';

  // --- Scenario filter -------------------------------------------------------
  var filter = document.getElementById('filter');
  var failuresOnly = document.getElementById('failures-only');
  var differencesOnly = document.getElementById('differences-only');
  var shown = document.getElementById('shown');
  var rows = Array.prototype.slice.call(document.querySelectorAll('tr.scenario'));
  var groups = Array.prototype.slice.call(document.querySelectorAll('tbody.suite'));

  function detailOf(tr) {
    var next = tr.nextElementSibling;
    return next && next.classList.contains('detail') ? next : null;
  }

  function applyFilter() {
    var terms = (filter ? filter.value : '').toLowerCase().split(/\s+/).filter(Boolean);
    var bad = failuresOnly && failuresOnly.checked;
    var diff = differencesOnly && differencesOnly.checked;
    var count = 0;
    rows.forEach(function (tr) {
      var text = tr.getAttribute('data-search') || '';
      var ok =
        terms.every(function (t) { return text.indexOf(t) >= 0; }) &&
        (!bad || tr.getAttribute('data-bad') === '1') &&
        (!diff || tr.getAttribute('data-differs') === '1');
      tr.classList.toggle('hidden', !ok);
      var d = detailOf(tr);
      if (d) d.classList.toggle('hidden', !ok);
      if (ok) count++;
    });
    groups.forEach(function (g) {
      g.classList.toggle('hidden', !g.querySelector('tr.scenario:not(.hidden)'));
    });
    if (shown) shown.textContent = count + ' of ' + rows.length + ' scenarios shown';
    var params = [];
    if (filter && filter.value) params.push('q=' + encodeURIComponent(filter.value));
    if (bad) params.push('failures');
    if (diff) params.push('differences');
    history.replaceState(null, '', params.length ? '#' + params.join('&') : location.pathname + location.search);
  }

  function restoreFromHash() {
    var h = location.hash.replace(/^#/, '');
    if (!h || h === 'conformance' || h === 'load' || h === 'comparison') return;
    h.split('&').forEach(function (p) {
      if (p.indexOf('q=') === 0 && filter) filter.value = decodeURIComponent(p.slice(2));
      if (p === 'failures' && failuresOnly) failuresOnly.checked = true;
      if (p === 'differences' && differencesOnly) differencesOnly.checked = true;
    });
  }

  if (rows.length) {
    restoreFromHash();
    [filter, failuresOnly, differencesOnly].forEach(function (el) {
      if (el) {
        el.addEventListener('input', applyFilter);
        el.addEventListener('change', applyFilter);
      }
    });
    applyFilter();
  }

  var expand = document.getElementById('expand-all');
  var badDetails = function () { return Array.prototype.slice.call(document.querySelectorAll('details.outcome.bad')); };
  if (expand) {
    expand.addEventListener('click', function () {
      var list = badDetails();
      var open = !list.every(function (d) { return d.open; });
      list.forEach(function (d) { d.open = open; });
      expand.textContent = open ? 'Collapse failures' : 'Expand failures';
    });
  }
  // Printed, a failure shows its transcript.
  var openedForPrint = [];
  window.addEventListener('beforeprint', function () {
    openedForPrint = badDetails().filter(function (d) { return !d.open; });
    openedForPrint.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () {
    openedForPrint.forEach(function (d) { d.open = false; });
  });

  // --- Load charts -----------------------------------------------------------
  var dataEl = document.getElementById('smtptest-charts');
  var runs = dataEl ? JSON.parse(dataEl.textContent || '[]') : [];
  var plots = Array.prototype.slice.call(document.querySelectorAll('[data-chart]'));
  if (!runs.length || !plots.length || typeof uPlot === 'undefined') return;

  var COLORS = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#bc4c00', '#1b7c83', '#9a6700', '#6e7781', '#d63384'];
  var CLASS_COLORS = { '2xx': '#1a7f37', '3xx': '#0969da', '4xx': '#bc4c00', '5xx': '#cf222e' };

  function pctLabel(x) {
    if (x == null) return '–';
    var p = 100 * (1 - 1 / x);
    if (p <= 0) return '0%';
    var digits = p < 90 ? 0 : Math.min(6, Math.max(1, Math.ceil(-Math.log10(100 - p)) + 1));
    return (+p.toFixed(digits)) + '%';
  }
  function msLabel(v) {
    if (v == null) return '–';
    return v >= 1000 ? (v / 1000).toFixed(2) + ' s' : v >= 10 ? v.toFixed(1) + ' ms' : v.toFixed(3) + ' ms';
  }
  function axisMs(v) {
    if (v == null) return '';
    if (v >= 1000) return +(v / 1000).toFixed(2) + ' s';
    return (v >= 1 ? +v.toFixed(1) : +v.toPrecision(2)) + ' ms';
  }
  function line(label, color, extra) {
    var s = { label: label, stroke: color, width: 1.5, spanGaps: false, points: { show: false } };
    for (var k in extra || {}) s[k] = extra[k];
    return s;
  }

  function timeOpts(el, yLabel, series, fmt) {
    return {
      width: el.clientWidth || 560,
      height: 260,
      scales: { x: { time: false } },
      axes: [{ label: 'seconds', size: 40 }, { label: yLabel, size: 76, values: function (u, vals) { return vals.map(fmt); } }],
      series: [{ label: 't (s)' }].concat(series),
      legend: { live: true },
    };
  }

  /** HdrHistogram-style: x = 1/(1−p) on a log axis, so 90%, 99%, 99.9% are evenly spaced. */
  function spectrumChart(el, spectrum, logY) {
    var ps = spectrum.percentiles;
    var xs = [];
    var lastFinite = 1;
    ps.forEach(function (p) {
      if (p < 100) lastFinite = 1 / (1 - p / 100);
    });
    ps.forEach(function (p) { xs.push(p >= 100 ? lastFinite * 2 : 1 / (1 - p / 100)); });
    var xMax = xs[xs.length - 1];
    var splits = [1, 2];
    for (var d = 10; d < xMax / 1.5; d *= 10) splits.push(d);
    splits.push(xMax);
    var data = [xs].concat(spectrum.series.map(function (s) {
      return s.values.map(function (v) { return v == null || (logY && v <= 0) ? null : v; });
    }));
    var opts = {
      width: el.clientWidth || 560,
      height: 280,
      scales: { x: { time: false, distr: 3, log: 10, range: function () { return [1, xMax]; } }, y: logY ? { distr: 3, log: 10 } : { range: function (u, min, max) { return [0, max * 1.05 || 1]; } } },
      axes: [
        // filter: keep every split; a log axis would otherwise blank those that are not powers of ten.
        { label: 'percentile', size: 40, splits: function () { return splits; }, filter: function (u, vals) { return vals; }, values: function (u, vals) { return vals.map(function (x) { return x === xMax ? 'max' : pctLabel(x); }); } },
        { label: 'latency', size: 76, values: function (u, vals) { return vals.map(axisMs); } },
      ],
      series: [{ label: 'percentile', value: function (u, x) { return x === xMax ? 'max' : pctLabel(x); } }].concat(
        spectrum.series.map(function (s, i) { return line(s.name + ' (n=' + s.count + ')', COLORS[i % COLORS.length], { value: function (u, v) { return msLabel(v); }, points: { show: true, size: 3 }, spanGaps: true }); }),
      ),
    };
    return new uPlot(opts, data, el);
  }

  function draw(el) {
    var run = runs[+el.getAttribute('data-load')];
    if (!run) return null;
    var tl = run.timeline;
    switch (el.getAttribute('data-chart')) {
      case 'throughput': {
        var num = function (v) { return v == null ? '' : String(+v.toFixed(1)); };
        var series = [line('accepted/s', COLORS[0]), line('started/s', COLORS[7], { dash: [4, 3] }), line('rejected/s', COLORS[4]), line('failed/s', COLORS[1])];
        var data = [tl.t, tl.acceptedPerS, tl.startedPerS, tl.rejectedPerS, tl.failedPerS];
        var opts = timeOpts(el, 'msg/s', series, num);
        if (run.model === 'open') {
          // The schedule's backlog on its own axis: a growing backlog means the target fell behind the rate.
          opts.series.push(line('backlog', COLORS[3], { scale: 'backlog', dash: [2, 2] }));
          opts.axes.push({ scale: 'backlog', side: 1, label: 'backlog', size: 50, grid: { show: false } });
          data.push(tl.backlog);
        }
        return new uPlot(opts, data, el);
      }
      case 'latency-time':
        return new uPlot(timeOpts(el, 'latency', [line('p50', COLORS[0], { value: function (u, v) { return msLabel(v); } }), line('p99', COLORS[1], { value: function (u, v) { return msLabel(v); } })], axisMs), [tl.t, tl.p50, tl.p99], el);
      case 'replies': {
        var classes = ['2xx', '3xx', '4xx', '5xx'];
        return new uPlot(
          timeOpts(el, 'replies/s', classes.map(function (c) { return line(c, CLASS_COLORS[c]); }), function (v) { return v == null ? '' : String(+v.toFixed(1)); }),
          [tl.t].concat(classes.map(function (c) { return tl.replies[c]; })),
          el,
        );
      }
      case 'spectrum':
        return spectrumChart(el, run.spectrum, false);
      case 'phase-spectrum':
        return spectrumChart(el, run.phaseSpectrum, true);
    }
    return null;
  }

  var charts = [];
  plots.forEach(function (el) {
    var u = draw(el);
    if (u) charts.push({ el: el, u: u });
  });
  if (typeof ResizeObserver !== 'undefined') {
    var ro = new ResizeObserver(function () {
      charts.forEach(function (c) {
        var w = c.el.clientWidth;
        if (w && Math.abs(w - c.u.width) > 4) c.u.setSize({ width: w, height: c.u.height });
      });
    });
    charts.forEach(function (c) { ro.observe(c.el); });
  }
})();
