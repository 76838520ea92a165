// The dashboard's one script: it keeps a copy of the cluster's state from
// the event stream (GET events), redraws only what changed once per
// animation frame, and runs the actions through POST dashboard/call with
// the session's CSRF token. No library, no build step.
'use strict';
(function () {
  const doc = document;
  const body = doc.body;
  const PAGE = body.dataset.page;
  const LOCAL = body.dataset.local;
  const SUBJECT = body.dataset.subject || '';
  const PERIODS = JSON.parse(body.dataset.periods || '[]');
  // The session's CSRF token; a restarted agent has a new key, so a page
  // older than it gets a new token (renewToken).
  let token = doc.querySelector('meta[name="csrf-token"]').content;
  // How many points a chart keeps (the agents keep stats_histo, 200 by
  // default): bounds the page's memory whatever the uptime.
  const HISTORY = 200;
  // How many notifications stay on screen at once.
  const MAX_NOTES = 6;
  // The log tail keeps at most this many characters.
  const MAX_LOG = 256 * 1024;

  // ---- small helpers ----

  function el(tag, attrs, ...kids) {
    const e = doc.createElement(tag);
    for (const k in attrs || {}) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'class') e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    for (const kid of kids) e.append(kid);
    return e;
  }
  // The tables the page keeps are grids of div rows (role table, row,
  // cell), not <table>s: a row out of view can then skip its style and
  // layout (content-visibility), which a table row cannot.
  function tr(attrs, ...cells) {
    return el('div', Object.assign({ class: 'tr', role: 'row' }, attrs), ...cells);
  }
  function td(attrs, ...kids) {
    return el('div', Object.assign({ role: 'cell' }, attrs), ...kids);
  }
  function th(attrs, ...kids) {
    return el('div', Object.assign({ role: 'rowheader' }, attrs), ...kids);
  }
  const SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs) {
    const e = doc.createElementNS(SVG, tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }
  function setText(e, s) {
    if (e.textContent !== s) e.textContent = s;
  }
  function clock(epoch) {
    return epoch ? new Date(epoch * 1000).toLocaleTimeString() : '—';
  }
  // url resolves a path of this agent without the credentials a person may
  // have typed in the address bar: fetch and EventSource refuse URLs
  // that carry them.
  const BASE = location.origin + location.pathname;
  function url(path) {
    return new URL(path, BASE).href;
  }
  function pageURL(page, key, value) {
    return page + '.html?' + key + '=' + encodeURIComponent(value);
  }
  function namespec(p) {
    return p.application_name === p.process_name ? p.process_name : p.application_name + ':' + p.process_name;
  }

  // ---- calls and notifications ----

  // Fault is an XML-RPC fault, its message as the clients show one:
  // "NOT_RUNNING (70): web:server".
  class Fault extends Error {
    constructor(f) {
      super(f.string.startsWith(f.name)
        ? f.name + ' (' + f.code + ')' + f.string.slice(f.name.length)
        : f.string + ' (' + f.code + ')');
      this.code = f.code;
      this.faultName = f.name;
    }
  }

  // post sends one call; fetch fails only when the agent cannot be reached.
  async function post(method, params) {
    try {
      return await fetch(url('dashboard/call'), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': token },
        body: JSON.stringify({ method: method, params: params }),
        credentials: 'same-origin',
      });
    } catch (e) {
      throw new Error('the agent cannot be reached (' + e.message + ')');
    }
  }

  // renewToken reads the token of this session from a fresh page (a GET,
  // which changes nothing): after the agent's restart, the page's own is
  // stale.
  async function renewToken() {
    const res = await fetch(url('./'), { credentials: 'same-origin' });
    const m = /<meta name="csrf-token" content="([^"]+)"/.exec(await res.text());
    if (!m || m[1] === token) return false;
    token = m[1];
    return true;
  }

  // call runs an XML-RPC method on this agent: its result, or a Fault.
  async function call(method, ...params) {
    let res = await post(method, params);
    if (res.status === 403 && (await renewToken().catch(() => false))) res = await post(method, params);
    if (!res.ok) throw new Error('HTTP ' + res.status + ': ' + (await res.text()).trim());
    const reply = await res.json();
    if (reply.fault) throw new Fault(reply.fault);
    return reply.result;
  }

  const notes = doc.getElementById('notes');
  function notify(text, kind) {
    const n = el('div', { class: 'note ' + kind, role: kind === 'error' ? 'alert' : 'status' },
      el('span', { text: text }),
      el('button', { type: 'button', class: 'close', 'aria-label': 'dismiss', text: '×' }));
    notes.append(n);
    while (notes.childElementCount > MAX_NOTES) notes.firstElementChild.remove();
    const note = {
      update(t, k) {
        n.className = 'note ' + k;
        n.setAttribute('role', k === 'error' ? 'alert' : 'status');
        n.firstChild.textContent = t;
        if (k !== 'pending') setTimeout(() => n.remove(), k === 'error' ? 30000 : 8000);
      },
    };
    if (kind !== 'pending') note.update(text, kind);
    return note;
  }
  notes.addEventListener('click', (e) => {
    if (e.target.matches('.close')) e.target.parentElement.remove();
  });

  function describe(result) {
    if (result === true) return 'done';
    if (result === false) return 'nothing to do';
    if (Array.isArray(result)) {
      const failed = result.filter((r) => r && r.status !== undefined && r.status !== 80);
      if (failed.length === 0) return 'done';
      return failed.map((r) => r.group + ':' + r.name + ' ' + r.description).join('; ');
    }
    return JSON.stringify(result);
  }

  // act runs an action, showing it as pending until its answer comes: the
  // page stays usable meanwhile.
  function act(label, method, ...params) {
    const note = notify(label + '…', 'pending');
    return call(method, ...params).then(
      (r) => note.update(label + ': ' + describe(r), 'ok'),
      (e) => note.update(label + ': ' + e.message, 'error'));
  }

  const dialog = doc.getElementById('confirm');
  function confirmThen(text, fn) {
    doc.getElementById('confirm-text').textContent = text;
    dialog.returnValue = '';
    dialog.onclose = () => {
      if (dialog.returnValue === 'ok') fn();
    };
    dialog.showModal();
  }

  // ---- the state, from the event stream ----

  const store = {
    supvisors: null,
    master: '',
    addresses: new Map(),
    applications: new Map(),
    processes: new Map(),
  };
  // What changed since the last frame; each holds at most one entry per
  // address, application or process, so a storm of events costs no more
  // memory than the cluster has entities.
  const dirty = { supvisors: false, master: false, addresses: new Set(), applications: new Set(), processes: new Set() };
  const views = [];
  let frame = 0;
  // A frame redraws at most FRAME_BUDGET processes; more wait for the next
  // frames, so that a storm (or a stream's snapshot after a reconnection)
  // at any scale never holds the page for long.
  const FRAME_BUDGET = 500;
  function schedule() {
    if (!frame) frame = requestAnimationFrame(() => flush(FRAME_BUDGET));
  }
  // flush redraws what changed, up to budget processes (all: Infinity).
  function flush(budget) {
    frame = 0;
    let processes = dirty.processes;
    if (processes.size > budget) {
      processes = new Set();
      for (const ns of dirty.processes) {
        if (processes.size === budget) break;
        processes.add(ns);
      }
      for (const ns of processes) dirty.processes.delete(ns);
      schedule();
    } else {
      dirty.processes = new Set();
    }
    const batch = Object.assign({}, dirty, { processes: processes });
    for (const v of views) v(batch);
    dirty.supvisors = dirty.master = false;
    dirty.addresses.clear();
    dirty.applications.clear();
  }

  const onTopic = {
    supvisors(d) {
      store.supvisors = d;
      dirty.supvisors = true;
      refreshMaster();
    },
    address(d) {
      const old = store.addresses.get(d.address_name);
      store.addresses.set(d.address_name, d);
      dirty.addresses.add(d.address_name);
      // The master changes only with the addresses' states, not with
      // their loading (which changes at every start and stop).
      if (!old || old.statename !== d.statename) refreshMaster();
    },
    application(d) {
      store.applications.set(d.application_name, d);
      dirty.applications.add(d.application_name);
    },
    process(d) {
      const ns = namespec(d);
      store.processes.set(ns, d);
      dirty.processes.add(ns);
    },
    event(d) {
      for (const fn of localEventHooks) fn(d);
    },
  };
  const localEventHooks = [];

  // The master is not in the stream: ask for it when the cluster changes
  // (at most one call at a time, and one more if it changed meanwhile).
  let masterBusy = false;
  let masterAgain = false;
  function refreshMaster() {
    if (masterBusy) {
      masterAgain = true;
      return;
    }
    masterBusy = true;
    call('supvisors.get_master_address').then((m) => m, () => '').then((m) => {
      masterBusy = false;
      if (m !== store.master) {
        store.master = m;
        dirty.master = true;
        for (const name of store.addresses.keys()) dirty.addresses.add(name);
        schedule();
      }
      if (masterAgain) {
        masterAgain = false;
        refreshMaster();
      }
    });
  }

  const live = doc.getElementById('live');
  function setLive(state, text) {
    live.dataset.live = state;
    live.textContent = text;
  }
  // The local process events (the event topic) only serve the pages that
  // show this node's processes: the cluster page does without them, which
  // halves what it receives in a storm.
  const TOPICS = ['supvisors', 'address', 'application', 'process'];
  if (PAGE === 'address' || PAGE === 'process') TOPICS.push('event');
  function connect() {
    const es = new EventSource(url('events?topics=' + TOPICS.join(',')));
    setLive('connecting', 'connecting…');
    es.onopen = () => setLive('live', 'live');
    es.onerror = () => {
      if (es.readyState === EventSource.CLOSED) {
        // The browser gives up on an HTTP error (the agent restarting):
        // try again, with a fresh stream (its snapshot).
        setLive('down', 'disconnected, retrying…');
        es.close();
        setTimeout(connect, 2000);
      } else {
        setLive('down', 'disconnected, reconnecting…');
      }
    };
    for (const topic of TOPICS) {
      es.addEventListener(topic, (e) => {
        let d;
        try {
          d = JSON.parse(e.data);
        } catch {
          return; // the agent sends JSON only: nothing to show of anything else
        }
        onTopic[topic](d);
        schedule();
      });
    }
  }

  // ---- tables ----

  const STATE_ORDER = {
    FATAL: 0, BACKOFF: 1, EXITED: 2, UNKNOWN: 3, STOPPING: 4, STARTING: 5, STOPPED: 6, RUNNING: 7,
    SILENT: 0, ISOLATED: 1, ISOLATING: 2, CHECKING: 4,
  };

  // Table keeps one row per key in the body (.tbody) of a grid: rows are
  // made from a prototype, filled when their item changes, hidden by the
  // filter and kept in the order of the column chosen (the [data-sort]
  // headers).
  class Table {
    constructor(table, opts) {
      this.tbody = table.querySelector('.tbody');
      this.opts = opts;
      this.rows = new Map();
      this.sortKey = opts.sortKey || null;
      this.sortDir = 1;
      this.filter = '';
      const head = table.querySelector('.thead');
      for (const th of head.querySelectorAll('[data-sort]')) {
        const b = el('button', { type: 'button', class: 'sort', text: th.textContent });
        th.textContent = '';
        th.append(b);
        b.addEventListener('click', () => {
          this.sortDir = this.sortKey === th.dataset.sort ? -this.sortDir : 1;
          this.sortKey = th.dataset.sort;
          for (const o of head.querySelectorAll('[aria-sort]')) o.removeAttribute('aria-sort');
          th.setAttribute('aria-sort', this.sortDir > 0 ? 'ascending' : 'descending');
          this.sort(true);
        });
        if (th.dataset.sort === this.sortKey) th.setAttribute('aria-sort', 'ascending');
      }
      const input = doc.querySelector('input[data-filter="' + table.id + '"]');
      if (input) {
        input.addEventListener('input', () => {
          this.filter = input.value.trim().toLowerCase();
          for (const row of this.rows.values()) this.applyFilter(row);
        });
      }
    }
    // update makes or refreshes the rows of keys (items from get(key); a
    // key without an item loses its row), then restores the order.
    update(keys, get) {
      let frag = null;
      let moved = false;
      for (const key of keys) {
        const item = get(key);
        let row = this.rows.get(key);
        if (!item) {
          if (row) {
            row.remove();
            this.rows.delete(key);
          }
          continue;
        }
        if (!row) {
          row = this.opts.make(key);
          this.rows.set(key, row);
          frag = frag || doc.createDocumentFragment();
          frag.append(row);
          moved = true;
        }
        this.opts.fill(row, item, key);
        row._search = this.opts.search(item, key).toLowerCase();
        const sortValue = this.sortKey ? this.opts.sortValue(this.sortKey, item, key) : null;
        if (row._sort !== sortValue) {
          row._sort = sortValue;
          moved = true;
        }
        this.applyFilter(row);
      }
      if (frag) this.tbody.append(frag);
      if (moved) this.sort(false);
    }
    applyFilter(row) {
      const hide = this.filter !== '' && !row._search.includes(this.filter);
      if (row.hidden !== hide) row.hidden = hide;
    }
    // sort reorders the rows when they are out of order (or always, when
    // the column has just changed: their sort values are read again).
    sort(fresh) {
      if (!this.sortKey) return;
      const rows = Array.from(this.tbody.children);
      if (fresh) {
        for (const row of rows) {
          const key = row._key;
          row._sort = this.opts.sortValue(this.sortKey, this.opts.item(key), key);
        }
      }
      const cmp = (a, b) => (a._sort < b._sort ? -this.sortDir : a._sort > b._sort ? this.sortDir : 0) ||
        (a._key < b._key ? -1 : a._key > b._key ? 1 : 0);
      let sorted = true;
      for (let i = 1; i < rows.length && sorted; i++) sorted = cmp(rows[i - 1], rows[i]) <= 0;
      if (sorted) return;
      rows.sort(cmp);
      const frag = doc.createDocumentFragment();
      for (const row of rows) frag.append(row);
      this.tbody.append(frag);
    }
  }

  function strategySelect(options) {
    const s = el('select', { 'data-strategy': '', 'aria-label': 'strategy' });
    for (const o of options) s.append(el('option', { text: o }));
    return s;
  }
  const STARTING = ['CONFIG', 'LESS_LOADED', 'MOST_LOADED', 'LOCAL', 'LESS_LOADED_NODE', 'MOST_LOADED_NODE'];
  const CONCILIATION = ['SENICIDE', 'INFANTICIDE', 'STOP', 'RESTART', 'RUNNING_FAILURE'];
  function actionButtons(actions) {
    const cell = td({ class: 'actions' });
    if (actions.strategies) cell.append(strategySelect(actions.strategies), ' ');
    for (const a of actions.buttons) {
      cell.append(el('button', { type: 'button', 'data-action': a, text: a[0].toUpperCase() + a.slice(1) }), ' ');
    }
    return cell;
  }
  function badge(state) {
    return el('span', { class: 'badge', 'data-badge': state, text: state });
  }
  function setBadge(b, state) {
    if (b.dataset.badge !== state) {
      b.dataset.badge = state;
      b.textContent = state;
    }
  }
  function setState(row, state) {
    if (row.dataset.state !== state) row.dataset.state = state;
  }

  // protoRow clones a prototype row, made once: far cheaper than building
  // every row element by element at 1,000 processes.
  function protoRow(attr, build) {
    let proto = null;
    return (key) => {
      if (!proto) proto = build();
      const row = proto.cloneNode(true);
      row.setAttribute(attr, key);
      row._key = key;
      return row;
    };
  }

  // ---- charts: hand-drawn SVG ----

  const W = 240;
  const H = 60;
  // points is a polyline of values (oldest first) across the W×H box,
  // from 0 at the bottom to top at the top.
  function points(values, top) {
    const n = values.length;
    const pts = [];
    for (let i = 0; i < n; i++) {
      const x = n === 1 ? W : (i * W) / (n - 1);
      const y = H - 1 - (Math.min(values[i], top) / top) * (H - 2);
      pts.push(x.toFixed(1) + ',' + y.toFixed(1));
    }
    return pts.join(' ');
  }
  // sparkline is an empty sparkline of percentages, drawn by drawSpark.
  function sparkline(cls) {
    const s = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'spark ' + cls, role: 'img', 'aria-label': 'no sample yet' });
    s.append(svg('polyline', { class: 'line' }));
    return s;
  }
  function drawSpark(s, values) {
    s.firstChild.setAttribute('points', points(values, 100));
    s.setAttribute('aria-label', values.length ? 'last ' + values[values.length - 1].toFixed(1) + ' %' : 'no sample yet');
  }

  // Chart is a captioned set of lines (name → values) with their last
  // values, made once and redrawn in place.
  class Chart {
    constructor(parent, title, unit, max) {
      this.unit = unit;
      this.max = max;
      this.svg = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, class: 'chart', role: 'img', 'aria-label': title });
      this.legend = el('span', { class: 'legend' });
      this.lines = new Map();
      parent.append(el('figure', { class: 'chart' }, this.svg, el('figcaption', {}, el('b', { text: title }), ' ', this.legend)));
    }
    draw(series) {
      const top = this.max || Math.max(1, ...Object.values(series).flat());
      const legend = [];
      let i = 0;
      for (const name in series) {
        let line = this.lines.get(name);
        if (!line) {
          line = svg('polyline', { class: 'line c' + (this.lines.size % 6) });
          this.lines.set(name, line);
          this.svg.append(line);
        }
        const values = series[name];
        line.setAttribute('points', points(values, top));
        legend.push([name, values.length ? values[values.length - 1].toFixed(1) + this.unit : '—', i++]);
      }
      this.legend.replaceChildren(...legend.map(([name, v, k]) => el('span', { class: 'key c' + (k % 6), text: name + ' ' + v })));
    }
  }

  // push appends v to a ring of at most HISTORY values.
  function push(ring, v) {
    ring.push(v);
    if (ring.length > HISTORY) ring.splice(0, ring.length - HISTORY);
  }

  // every runs fn now and then every period seconds while the page is
  // visible; one call at a time.
  function every(seconds, fn) {
    let busy = false;
    const tick = () => {
      if (busy || doc.hidden) return;
      busy = true;
      Promise.resolve(fn()).catch(() => {}).finally(() => {
        busy = false;
      });
    };
    tick();
    return setInterval(tick, seconds * 1000);
  }

  // periodSelect fills the page's period chooser with stats_periods and
  // returns the first; onChange gets the one chosen next.
  function periodSelect(onChange) {
    const sel = doc.getElementById('period');
    for (const p of PERIODS) sel.append(el('option', { value: String(p), text: p + ' s' }));
    sel.addEventListener('change', () => onChange(Number(sel.value)));
    return Number(sel.value);
  }

  // ---- actions from the rows ----

  const ROW_ACTIONS = {
    application: {
      start: (n, s) => ['supvisors.start_application', s, n, false],
      stop: (n) => ['supvisors.stop_application', n, false],
      restart: (n, s) => ['supvisors.restart_application', s, n, false],
    },
    namespec: {
      start: (n, s) => ['supvisors.start_process', s, n, '', false],
      stop: (n) => ['supvisors.stop_process', n, false],
      restart: (n, s) => ['supvisors.restart_process', s, n, false],
    },
    // A process row of this node's address page acts on this node only,
    // as Supervisor's page does.
    local: {
      start: (n) => ['supervisor.startProcess', n, false],
      stop: (n) => ['supervisor.stopProcess', n, false],
      clearlog: (n) => ['supervisor.clearProcessLogs', n],
    },
    conflict: {
      conciliate: (n, s) => ['supvisors.conciliate', s],
    },
  };

  doc.addEventListener('click', (e) => {
    const b = e.target.closest('button[data-action], button[data-cluster-action], button[data-node-action]');
    if (!b) return;
    if (b.dataset.clusterAction) {
      clusterAction(b.dataset.clusterAction);
      return;
    }
    if (b.dataset.nodeAction) {
      nodeAction(b.dataset.nodeAction);
      return;
    }
    const row = b.closest('[data-conflict], [data-namespec], [data-application]');
    if (!row) return;
    const action = b.dataset.action;
    let kind;
    let name;
    if (row.hasAttribute('data-conflict')) {
      kind = 'conflict';
      name = row.dataset.conflict;
    } else if (row.hasAttribute('data-namespec')) {
      kind = row.dataset.scope === 'local' ? 'local' : 'namespec';
      name = row.dataset.namespec;
    } else {
      kind = 'application';
      name = row.dataset.application;
    }
    const strategy = strategyOf(b);
    if (kind === 'local' && action === 'restart') {
      restart('restart ' + name, ['supervisor.stopProcess', name, true], ['supervisor.startProcess', name, false]);
      return;
    }
    const make = ROW_ACTIONS[kind][action];
    if (!make) return;
    const [method, ...params] = make(name, strategy);
    const what = kind === 'conflict' ? 'conciliate with ' + strategy : action + ' ' + name;
    act(what, method, ...params);
  });

  // strategyOf is the strategy of an action button: the nearest strategy
  // chooser around it (its row's, else its table's).
  function strategyOf(b) {
    for (let up = b.parentElement; up; up = up.parentElement) {
      const select = up.querySelector('select[data-strategy]');
      if (select) return select.value;
    }
    return 'CONFIG';
  }

  // restart is Supervisor's restart, which the supervisor namespace has no
  // method for: the stop call (waited for; NOT_RUNNING is no error), then
  // the start call, shown as one action.
  function restart(label, stop, start) {
    const note = notify(label + '…', 'pending');
    call(...stop).catch((err) => {
      if (err.code !== 70) throw err;
    }).then(() => call(...start)).then(
      (r) => note.update(label + ': ' + describe(r), 'ok'),
      (err) => note.update(label + ': ' + err.message, 'error'));
  }

  // nodeAction is one of Supervisor's buttons for all of this node's
  // processes (its page has no Start All; users asked for it).
  function nodeAction(what) {
    if (what === 'startall') {
      act('start all of ' + LOCAL, 'supervisor.startAllProcesses', false);
    } else if (what === 'stopall') {
      confirmThen('Stop every process of ' + LOCAL + '?', () => act('stop all of ' + LOCAL, 'supervisor.stopAllProcesses', false));
    } else if (what === 'restartall') {
      confirmThen('Restart every process of ' + LOCAL + '?', () => restart('restart all of ' + LOCAL,
        ['supervisor.stopAllProcesses', true], ['supervisor.startAllProcesses', false]));
    }
  }

  // "/" goes to the first filter box, as in many web tools.
  doc.addEventListener('keydown', (e) => {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.target.closest('input, select, textarea, [contenteditable]')) return;
    const filter = doc.querySelector('input[data-filter]');
    if (filter) {
      e.preventDefault();
      filter.focus();
    }
  });

  function clusterAction(what) {
    if (what === 'conciliate') {
      const s = doc.getElementById('conciliate-all-strategy').value;
      act('conciliate all with ' + s, 'supvisors.conciliate', s);
    } else if (what === 'restart') {
      confirmThen('Restart the whole cluster? Every application is stopped, then every agent restarts.',
        () => act('restart the cluster', 'supvisors.restart'));
    } else if (what === 'shutdown') {
      confirmThen('Shut the whole cluster down? Every application is stopped, then every agent exits.',
        () => act('shut the cluster down', 'supvisors.shutdown'));
    }
  }

  // ---- the header, on every page ----

  views.push((d) => {
    if (d.supvisors && store.supvisors) {
      const s = store.supvisors;
      const state = doc.querySelector('[data-supvisors-state]');
      setText(state, s.statename);
      state.dataset.state = s.statename;
      setText(doc.getElementById('quorum'), s.quorum ? 'yes' : 'no');
    }
    if (d.master) setText(doc.getElementById('master'), store.master || 'none');
  });

  // ---- process rows, shared by the pages that list processes ----

  // The application page shows each process's loading (from its rules).
  const loadings = new Map();
  const makeProcessRow = protoRow('data-namespec', () => {
    const row = tr({},
      td({}, el('a', {})),
      td({}, badge('UNKNOWN')),
      td({ class: 'where' }),
      td({ class: 'info' }));
    if (PAGE === 'application') row.append(td({ class: 'loading' }));
    // The strategy comes from the table's one chooser: a select in each of
    // 1,000 rows would double the time the page takes to show them.
    row.append(actionButtons({ buttons: ['start', 'stop', 'restart'] }));
    return row;
  });

  function fillProcessRow(row, p, ns) {
    const a = row.children[0].firstChild;
    if (!a.textContent) {
      a.textContent = ns;
      a.href = pageURL('process', 'namespec', ns);
    }
    setState(row, p.statename);
    setBadge(row.children[1].firstChild, p.statename);
    setText(row.children[2], p.addresses.join(', '));
    setText(row.children[3], p.waiting || (p.addresses.length > 1 ? 'conflict' : ''));
    row.classList.toggle('conflict', p.addresses.length > 1);
    if (PAGE === 'application') setText(row.children[4], loadings.has(ns) ? loadings.get(ns) + ' %' : '');
  }

  function processSortValue(key, p, ns) {
    switch (key) {
      case 'state':
        return STATE_ORDER[p.statename] ?? 9;
      case 'where':
        return p.addresses.join(',');
      case 'info':
        return p.waiting || '';
      case 'loading':
        return loadings.get(ns) ?? -1;
    }
    return ns;
  }

  // clusterProcessTable lists the processes of the event stream that pass
  // keep.
  function clusterProcessTable(keep) {
    const table = new Table(doc.getElementById('processes'), {
      sortKey: 'name',
      make: makeProcessRow,
      fill: fillProcessRow,
      search: (p, ns) => ns + ' ' + p.statename + ' ' + p.addresses.join(' '),
      sortValue: processSortValue,
      item: (ns) => store.processes.get(ns),
    });
    defaultStrategy(doc.getElementById('process-strategy'));
    const count = doc.getElementById('process-count');
    views.push((d) => {
      if (!d.processes.size) return;
      table.update(d.processes, (ns) => {
        const p = store.processes.get(ns);
        return p && keep(p) ? p : null;
      });
      setText(count, table.rows.size + ' processes');
    });
    return table;
  }

  // ---- the cluster page ----

  // defaultStarting is the cluster's starting strategy, once known.
  let defaultStarting = 'CONFIG';

  function clusterPage() {
    // Addresses, in address_list order (the snapshot's) until sorted.
    const hostStats = new Map(); // address → {cpu, mem}
    const addresses = new Table(doc.getElementById('addresses'), {
      make: protoRow('data-address', () => tr({},
        th({}, el('a', {}), el('span', { class: 'master' })),
        td({}, badge('UNKNOWN')),
        td({}, el('span', { class: 'bar' }, el('span', { class: 'fill' })), el('span', { class: 'pct' })),
        td({ class: 'time' }),
        td({ class: 'time' }),
        td({}, sparkline('cpu')),
        td({}, sparkline('mem')))),
      fill(row, a, name) {
        const link = row.children[0].firstChild;
        if (!link.textContent) {
          link.textContent = name;
          link.href = pageURL('address', 'address', name);
        }
        setText(row.children[0].lastChild, store.master === name ? ' ✪ master' : '');
        setState(row, a.statename);
        setBadge(row.children[1].firstChild, a.statename);
        const fill = row.children[2].firstChild.firstChild;
        fill.style.width = Math.min(100, a.loading) + '%';
        setText(row.children[2].lastChild, a.loading + ' %');
        setText(row.children[3], clock(a.remote_time));
        setText(row.children[4], clock(a.local_time));
        const h = hostStats.get(name);
        if (h) {
          drawSpark(row.children[5].firstChild, h.cpu);
          drawSpark(row.children[6].firstChild, h.mem);
        }
      },
      search: (a, name) => name + ' ' + a.statename,
      sortValue: (key, a, name) => (key === 'state' ? STATE_ORDER[a.statename] ?? 9 : key === 'loading' ? a.loading : name),
      item: (name) => store.addresses.get(name),
    });
    views.push((d) => {
      if (d.addresses.size) addresses.update(d.addresses, (n) => store.addresses.get(n));
    });

    // The charts and the clocks: statistics are asked of each RUNNING
    // address every period (the stream carries this node's only).
    const period = PERIODS[0] || 10;
    every(Math.max(period, 5), async () => {
      const infos = await call('supvisors.get_all_addresses_info');
      for (const a of infos) {
        store.addresses.set(a.address_name, a);
        dirty.addresses.add(a.address_name);
        if (a.statename !== 'RUNNING') continue;
        call('supvisors.get_host_statistics', a.address_name, period).then((h) => {
          hostStats.set(a.address_name, { cpu: h.history.cpu, mem: h.history.mem });
          dirty.addresses.add(a.address_name);
          schedule();
        }, () => {});
      }
      schedule();
    });

    const applications = new Table(doc.getElementById('applications'), {
      sortKey: 'name',
      make: protoRow('data-application', () => tr({},
        th({}, el('a', {})),
        td({}, badge('UNKNOWN')),
        td({ class: 'failure' }),
        actionButtons({ strategies: STARTING, buttons: ['start', 'stop', 'restart'] }))),
      fill(row, a, name) {
        const link = row.children[0].firstChild;
        if (!link.textContent) {
          link.textContent = name;
          link.href = pageURL('application', 'application', name);
          row.querySelector('select[data-strategy]').value = defaultStarting;
        }
        setState(row, a.statename);
        setBadge(row.children[1].firstChild, a.statename);
        setText(row.children[2], failure(a));
        row.children[2].dataset.failure = a.major_failure ? 'major' : a.minor_failure ? 'minor' : '';
      },
      search: (a, name) => name + ' ' + a.statename + ' ' + failure(a),
      sortValue: (key, a, name) => (key === 'state' ? a.statecode : key === 'failure' ? -(2 * a.major_failure + a.minor_failure) : name),
      item: (name) => store.applications.get(name),
    });
    views.push((d) => {
      if (d.applications.size) applications.update(d.applications, (n) => store.applications.get(n));
    });
    // Each row's chooser starts at the cluster's starting strategy.
    startingStrategy().then((st) => {
      if (!st) return;
      defaultStarting = st;
      for (const sel of applications.tbody.querySelectorAll('select[data-strategy]')) sel.value = st;
    });

    const conflicts = new Table(doc.getElementById('conflicts'), {
      sortKey: 'name',
      make: protoRow('data-conflict', () => tr({},
        th({}, el('a', {})),
        td({ class: 'where' }),
        td({}, badge('UNKNOWN')),
        actionButtons({ strategies: CONCILIATION, buttons: ['conciliate'] }))),
      fill(row, p, ns) {
        const link = row.children[0].firstChild;
        if (!link.textContent) {
          link.textContent = ns;
          link.href = pageURL('process', 'namespec', ns);
        }
        setText(row.children[1], p.addresses.join(', '));
        setBadge(row.children[2].firstChild, p.statename);
      },
      search: (p, ns) => ns,
      sortValue: (key, p, ns) => ns,
      item: (ns) => store.processes.get(ns),
    });
    const conflictCount = doc.getElementById('conflict-count');
    const conflictTable = doc.getElementById('conflicts');
    const noConflict = doc.getElementById('no-conflict');
    views.push((d) => {
      if (!d.processes.size) return;
      conflicts.update(d.processes, (ns) => {
        const p = store.processes.get(ns);
        return p && p.addresses.length > 1 ? p : null;
      });
      const n = conflicts.rows.size;
      setText(conflictCount, String(n));
      conflictTable.hidden = n === 0;
      noConflict.hidden = n > 0;
    });

    clusterProcessTable(() => true);
  }

  function failure(a) {
    return a.major_failure ? 'major failure' : a.minor_failure ? 'minor failure' : '';
  }

  // ---- rules, as a definition list ----

  function showRules(dl, rules) {
    const items = [];
    for (const k in rules) {
      if (k === 'application_name' || k === 'process_name' || k === 'expected_loading') continue;
      let v = rules[k];
      if (Array.isArray(v)) v = v.join(', ');
      else if (typeof v === 'boolean') v = v ? 'yes' : 'no';
      items.push(el('dt', { text: k.replace(/_/g, ' ') }), el('dd', { text: String(v) }));
    }
    dl.replaceChildren(...items);
  }

  function failRules(dl, err) {
    dl.replaceChildren(el('dt', { text: 'rules' }), el('dd', { text: 'unavailable: ' + err.message }));
  }

  // debounce runs fn once, ms after the last of a burst of calls.
  function debounce(ms, fn) {
    let timer = 0;
    return () => {
      clearTimeout(timer);
      timer = setTimeout(fn, ms);
    };
  }

  // nodeURL is the same page on another agent (every agent listens on the
  // same port).
  function nodeURL(address, path) {
    const host = address.includes(':') ? '[' + address + ']' : address;
    return location.protocol + '//' + host + (location.port ? ':' + location.port : '') + '/' + path;
  }

  // ---- the address page ----

  function addressPage() {
    const addr = SUBJECT;
    const summary = doc.querySelector('.summary[data-address]');
    views.push((d) => {
      const a = store.addresses.get(addr);
      if (!a || !(d.addresses.has(addr) || d.master)) return;
      setState(summary, a.statename);
      setBadge(summary.querySelector('.badge'), a.statename);
      setText(summary.querySelector('.loading'), 'loading ' + a.loading + ' %' + (store.master === addr ? ', master' : ''));
      setText(summary.querySelector('.times'), 'remote time ' + clock(a.remote_time) + ', local time ' + clock(a.local_time));
    });
    if (addr !== LOCAL) {
      const link = summary.querySelector('.node-link');
      link.href = nodeURL(addr, pageURL('address', 'address', addr));
      link.hidden = false;
      // Another node's processes, as the cluster sees them.
      clusterProcessTable((p) => p.addresses.includes(addr));
    } else {
      localProcessTable();
    }
    hostCharts(addr);
  }

  const ACTIVE = ['STARTING', 'RUNNING', 'BACKOFF'];

  // localProcessTable is Supervisor's page: this node's processes with
  // their description, refreshed when one of them changes state (the
  // stream's event topic) and every few seconds for the uptimes.
  function localProcessTable() {
    // The page comes with Supervisor's table (no strategy chooser, a wider
    // Actions column, the buttons for all of this node's processes).
    const items = new Map();
    const table = new Table(doc.getElementById('processes'), {
      sortKey: 'name',
      make: protoRow('data-namespec', () => {
        const row = tr({ 'data-scope': 'local' },
          td({}, el('a', {})),
          td({}, badge('UNKNOWN')),
          td({ class: 'where' }),
          td({ class: 'info' }),
          actionButtons({ buttons: ['start', 'stop', 'restart', 'clearlog'] }));
        row.lastChild.querySelector('[data-action="clearlog"]').textContent = 'Clear log';
        return row;
      }),
      fill(row, p, ns) {
        const a = row.children[0].firstChild;
        if (!a.textContent) {
          a.textContent = ns;
          a.href = pageURL('process', 'namespec', ns);
        }
        setState(row, p.statename);
        setBadge(row.children[1].firstChild, p.statename);
        // Where it runs, as the cluster counts it: here, while it is
        // starting, running or backing off.
        setText(row.children[2], ACTIVE.includes(p.statename) ? LOCAL : '');
        setText(row.children[3], p.description);
      },
      search: (p, ns) => ns + ' ' + p.statename + ' ' + p.description,
      sortValue: (key, p, ns) => (key === 'state' ? STATE_ORDER[p.statename] ?? 9 : key === 'info' ? p.description : ns),
      item: (ns) => items.get(ns),
    });
    const count = doc.getElementById('process-count');
    const refresh = async () => {
      const infos = await call('supervisor.getAllProcessInfo');
      const seen = new Set();
      for (const p of infos) {
        const ns = p.group === p.name ? p.name : p.group + ':' + p.name;
        items.set(ns, p);
        seen.add(ns);
      }
      for (const ns of items.keys()) if (!seen.has(ns)) items.delete(ns);
      table.update(new Set([...table.rows.keys(), ...seen]), (ns) => items.get(ns));
      setText(count, table.rows.size + ' processes');
    };
    localEventHooks.push(debounce(200, () => refresh().catch(() => {})));
    every(5, refresh);
  }

  // hostCharts draws an address's statistics for the period chosen: CPU
  // (total, then each core), memory, and each network interface. The
  // agents keep the history of the totals; that of each core and
  // interface is gathered here from the samples, from the page's load.
  function hostCharts(addr) {
    const box = doc.getElementById('host-charts');
    let charts = null;
    let period = periodSelect((p) => {
      period = p;
      reset();
    });
    let cores = [];
    let io = new Map();
    let last = 0;
    function reset() {
      charts = null;
      cores = [];
      io = new Map();
      last = 0;
      box.replaceChildren();
    }
    every(Math.max(1, Math.min(period, 5)), async () => {
      if (!period) return;
      let h;
      try {
        h = await call('supvisors.get_host_statistics', addr, period);
      } catch (e) {
        reset();
        box.append(el('p', { class: 'hint', text: 'statistics unavailable: ' + e.message }));
        return;
      }
      if (!charts) {
        box.replaceChildren();
        charts = {
          cpu: new Chart(box, 'CPU total', ' %', 100),
          cores: new Chart(box, 'CPU per core', ' %', 100),
          mem: new Chart(box, 'Memory', ' %', 100),
          io: new Map(),
        };
      }
      const times = h.history.time;
      const now = times.length ? times[times.length - 1] : 0;
      if (now && now !== last) {
        last = now;
        h.cpu.slice(1).forEach((v, i) => {
          cores[i] = cores[i] || [];
          push(cores[i], v);
        });
        for (const name in h.io) {
          if (!io.has(name)) io.set(name, { recv: [], sent: [] });
          push(io.get(name).recv, h.io[name][0]);
          push(io.get(name).sent, h.io[name][1]);
        }
      }
      charts.cpu.draw({ total: h.history.cpu });
      const perCore = {};
      cores.forEach((c, i) => {
        perCore['core ' + i] = c;
      });
      charts.cores.draw(perCore);
      charts.mem.draw({ used: h.history.mem });
      for (const [name, s] of io) {
        if (!charts.io.has(name)) charts.io.set(name, new Chart(box, 'Network ' + name, ' kbit/s', 0));
        charts.io.get(name).draw({ recv: s.recv, sent: s.sent });
      }
    });
  }

  // ---- the application page ----

  function applicationPage() {
    const app = SUBJECT;
    const summary = doc.querySelector('.summary[data-application]');
    views.push((d) => {
      const a = store.applications.get(app);
      if (!a || !d.applications.has(app)) return;
      setState(summary, a.statename);
      setBadge(summary.querySelector('.badge'), a.statename);
      const f = summary.querySelector('.failure');
      setText(f, failure(a));
      f.dataset.failure = a.major_failure ? 'major' : a.minor_failure ? 'minor' : '';
    });
    const rules = doc.getElementById('rules');
    call('supvisors.get_application_rules', app).then((r) => showRules(rules, r), (e) => failRules(rules, e));
    defaultStrategy(summary.querySelector('[data-strategy]'));
    const table = clusterProcessTable((p) => p.application_name === app);
    call('supvisors.get_process_rules', app + ':*').then((list) => {
      for (const r of list) loadings.set(namespec(r), r.loading);
      table.update(new Set(loadings.keys()), (ns) => {
        const p = store.processes.get(ns);
        return p && p.application_name === app ? p : null;
      });
    }, () => {});
  }

  // defaultStrategy selects the cluster's starting strategy in sel.
  function defaultStrategy(sel) {
    startingStrategy().then((st) => {
      if (st && sel.value !== st) {
        sel.value = st;
        sel.dispatchEvent(new Event('change'));
      }
    });
  }

  // startingStrategy is the cluster's starting strategy (null if it cannot
  // be known), asked once.
  let starting = null;
  function startingStrategy() {
    starting = starting || call('supvisors.get_strategies').then(
      (st) => (STARTING.includes(st.starting) ? st.starting : null), () => null);
    return starting;
  }

  // ---- the process page ----

  function processPage() {
    const ns = SUBJECT;
    const summary = doc.querySelector('.summary[data-namespec]');
    const copies = doc.getElementById('copies').tBodies[0];
    let local = null; // this node's copy (supervisor.getProcessInfo), if it has one
    const drawCopies = () => {
      const p = store.processes.get(ns);
      const rows = [];
      const where = new Set(p ? p.addresses : []);
      if (local) where.add(LOCAL);
      for (const a of where) {
        const isLocal = a === LOCAL && local;
        const state = isLocal ? local.statename : p ? p.statename : 'UNKNOWN';
        // Another node's copy: its log is on that node's own page.
        const where = isLocal ? local.description : '';
        const info = a === LOCAL ? el('td', { text: where })
          : el('td', {}, el('a', { href: nodeURL(a, pageURL('process', 'namespec', ns)), text: 'its log, on ' + a + "'s page" }));
        rows.push(el('tr', { 'data-copy': a },
          el('th', { scope: 'row' }, el('a', { href: pageURL('address', 'address', a), text: a })),
          el('td', {}, badge(state)),
          info));
      }
      if (!rows.length) rows.push(el('tr', {}, el('td', { colspan: '3', text: 'not running anywhere' })));
      copies.replaceChildren(...rows);
    };
    views.push((d) => {
      const p = store.processes.get(ns);
      if (!p || !d.processes.has(ns)) return;
      setState(summary, p.statename);
      setBadge(summary.querySelector('.badge'), p.statename);
      setText(summary.querySelector('.where'), p.addresses.length ? p.addresses.join(', ') : 'no address');
      setText(summary.querySelector('.why'), p.waiting || (p.addresses.length > 1 ? '(conflict)' : ''));
      drawCopies();
    });
    const rules = doc.getElementById('rules');
    call('supvisors.get_process_rules', ns).then((r) => showRules(rules, r[0]), (e) => failRules(rules, e));
    defaultStrategy(summary.querySelector('[data-strategy]'));

    const refreshLocal = () => call('supervisor.getProcessInfo', ns).then((info) => {
      local = info;
      drawCopies();
      return true;
    }, () => false);
    localEventHooks.push((e) => {
      if ((e.group === e.name ? e.name : e.group + ':' + e.name) === ns) refreshLocal();
    });
    refreshLocal().then((here) => logTail(ns, here));
    processCharts(ns);
  }

  // processCharts draws the CPU and memory of every running copy.
  function processCharts(ns) {
    const box = doc.getElementById('process-charts');
    let charts = null;
    let period = periodSelect((p) => {
      period = p;
      charts = null;
      box.replaceChildren();
    });
    every(Math.max(1, Math.min(period, 5)), async () => {
      if (!period) return;
      let list;
      try {
        list = await call('supvisors.get_process_statistics', ns, period);
      } catch (e) {
        box.replaceChildren(el('p', { class: 'hint', text: 'statistics unavailable: ' + e.message }));
        charts = null;
        return;
      }
      if (!charts) {
        box.replaceChildren();
        charts = { cpu: new Chart(box, 'CPU', ' %', 0), mem: new Chart(box, 'Memory', ' %', 0) };
      }
      const cpu = {};
      const mem = {};
      for (const s of list) {
        cpu[s.address_name] = s.history.cpu;
        mem[s.address_name] = s.history.mem;
      }
      charts.cpu.draw(cpu);
      charts.mem.draw(mem);
    });
  }

  // logTail follows this node's log of the process through /logtail: the
  // channel chosen, from its last kilobyte on, as supervisorctl tail -f.
  function logTail(ns, here) {
    const pre = doc.getElementById('log');
    const channelButtons = doc.querySelectorAll('button[data-log]');
    let channel = 'stdout';
    let abort = null;
    let text = '';
    const show = (s) => {
      const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      text += s;
      if (text.length > MAX_LOG) text = text.slice(text.length - MAX_LOG / 2);
      pre.textContent = text;
      if (atEnd) pre.scrollTop = pre.scrollHeight;
    };
    async function follow() {
      if (abort) abort.abort();
      const mine = new AbortController();
      abort = mine;
      text = '';
      pre.textContent = '';
      if (!here) {
        pre.textContent = ns + ' is not configured on this node (' + LOCAL + '): open the page of a node that runs it.';
        return;
      }
      try {
        const res = await fetch(url('logtail/' + ns + '/' + channel), { signal: mine.signal, credentials: 'same-origin' });
        if (!res.ok) {
          show('(' + channel + ': HTTP ' + res.status + ' ' + (await res.text()).trim() + ')\n');
          return;
        }
        const reader = res.body.getReader();
        const dec = new TextDecoder();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          show(dec.decode(value, { stream: true }));
        }
        show('\n(the tail ended: following again in 2 s)\n');
      } catch (e) {
        if (mine.signal.aborted) return;
        show('\n(the tail stopped: ' + e.message + '; following again in 2 s)\n');
      }
      setTimeout(() => {
        if (abort === mine) follow();
      }, 2000);
    }
    for (const b of channelButtons) {
      b.addEventListener('click', () => {
        channel = b.dataset.log;
        for (const o of channelButtons) o.setAttribute('aria-pressed', String(o === b));
        follow();
      });
    }
    doc.getElementById('clear-log').addEventListener('click', () => {
      act('clear the log of ' + ns, 'supervisor.clearProcessLogs', ns).then(follow);
    });
    doc.getElementById('send-signal').addEventListener('click', () => {
      const sig = doc.getElementById('signal').value;
      act('signal ' + sig + ' to ' + ns, 'supervisor.signalProcess', ns, sig);
    });
    follow();
  }

  // ---- boot ----

  const pages = {
    cluster: clusterPage,
    address: addressPage,
    application: applicationPage,
    process: processPage,
  };
  if (pages[PAGE]) pages[PAGE]();
  // The state the page came with is drawn at once, before the first
  // paint; the stream's own snapshot then refreshes it.
  const state = doc.getElementById('state');
  if (state) {
    for (const [topic, d] of JSON.parse(state.textContent)) onTopic[topic](d);
    flush(Infinity);
  }
  if (PAGE !== 'confirm') connect();
  if (body.dataset.message) notify(body.dataset.message, body.dataset.message.startsWith('ERROR') ? 'error' : 'ok');
})();
