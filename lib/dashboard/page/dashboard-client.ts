/// <reference lib="dom" />
import type {
  DashboardSnapshot,
  DeadLetterView,
  GroupView,
  OutboxView,
  Section,
  StreamView,
  TopicView,
} from '../dashboard-snapshot.js';

/** What the served script is called with. */
export interface DashboardClientConfig {
  /** The dashboard's path: the feed is `<base>/events`, the JSON `<base>/snapshot`. */
  base: string;
  /** Repeated on every request (`?token=...`), or empty. */
  query: string;
  /** How often the server sends a snapshot (ms). */
  refreshMs: number;
}

/**
 * The dashboard's browser script. It is served as its own source text, `(dashboardClient)(config)`,
 * so it uses nothing from outside its body (type imports only). It follows the server-sent snapshot
 * feed (reconnecting by itself) and redraws the page from each snapshot, keeping what the reader
 * expanded.
 */
export function dashboardClient(config: DashboardClientConfig): void {
  const app = document.getElementById('app')!;
  const statusBox = document.getElementById('status')!;
  const statusText = document.getElementById('status-text')!;
  const sourceText = document.getElementById('source')!;
  const expanded = new Set<string>();
  const throughput: number[] = [];
  const HISTORY = 60;
  let receivedAt = 0;
  /** Whether the reader opened or closed a topic (then the page leaves that to them). */
  let touched = false;
  let connected = false;
  /** The server's last failed reading, until the next good one. */
  let problem = '';

  const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });

  function esc(text: unknown): string {
    return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  }

  function count(n: number): string {
    return integer.format(n);
  }

  function counted(n: number, noun: string): string {
    return `${count(n)} ${noun}${n === 1 ? '' : 's'}`;
  }

  function rate(n: number | null): string {
    if (n === null) return '—';
    return n > 0 && n < 10 ? decimal.format(n) : integer.format(n);
  }

  function bytes(n: number): string {
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let value = n;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
      value /= 1000;
      unit++;
    }
    return `${unit === 0 ? integer.format(value) : decimal.format(value)} ${units[unit]}`;
  }

  function age(ms: number | null): string {
    if (ms === null) return '—';
    const s = ms / 1000;
    if (s < 60) return `${decimal.format(s)} s`;
    if (s < 3600) return `${integer.format(s / 60)} min`;
    if (s < 86400) return `${decimal.format(s / 3600)} h`;
    return `${decimal.format(s / 86400)} d`;
  }

  function ago(iso: string): string {
    return `${age(Math.max(0, Date.now() - Date.parse(iso)))} ago`;
  }

  /** A figure with its raw value for scripts and tests (`data-field`, `data-value`). */
  function field(name: string, value: number | string | null, text: string): string {
    return `<span data-field="${esc(name)}" data-value="${esc(value ?? '')}">${esc(text)}</span>`;
  }

  function bar(fraction: number, kind = ''): string {
    const width = Math.max(0, Math.min(100, Math.round(fraction * 100)));
    return `<span class="bar ${kind}"><i data-w="${width}"></i></span>`;
  }

  function sparkline(values: number[]): string {
    if (values.length < 2) return '';
    const max = Math.max(...values, 1);
    const step = 96 / (values.length - 1);
    const points = values.map((v, i) => `${(i * step).toFixed(1)},${(29 - (v / max) * 27).toFixed(1)}`);
    const area = `0,30 ${points.join(' ')} 96,30`;
    return `<svg class="spark" viewBox="0 0 96 30" aria-hidden="true"><polygon points="${area}"/><polyline points="${points.join(' ')}"/></svg>`;
  }

  function kpi(
    name: string,
    label: string,
    value: number | null,
    text: string,
    sub: string,
    tone = '',
    extra = '',
  ): string {
    return `<div class="card kpi ${tone}" data-kpi="${name}"><div class="label">${esc(label)}</div><div class="value">${field(name, value, text)}</div><div class="sub">${sub}</div>${extra}</div>`;
  }

  function kpis(s: DashboardSnapshot): string {
    const t = s.totals;
    const dead = t.deadLetters;
    const outbox = s.outbox.status === 'ok' ? s.outbox.data : null;
    return `<section class="kpis">${[
      kpi(
        'messages',
        'Messages',
        t.messages,
        count(t.messages),
        `${counted(t.streams, 'stream')} · ${counted(t.topics, 'topic')} · ${counted(t.partitions, 'partition')}`,
      ),
      kpi(
        'messagesPerSecond',
        'Throughput',
        t.messagesPerSecond,
        rate(t.messagesPerSecond),
        'messages / s',
        '',
        sparkline(throughput),
      ),
      kpi('sizeBytes', 'Stored', t.sizeBytes, bytes(t.sizeBytes), 'message bytes on the server'),
      kpi(
        'lag',
        'Consumer lag',
        t.lag,
        count(t.lag),
        counted(t.groups, 'consumer group'),
        t.lag === 0 ? 'ok' : 'warn',
      ),
      kpi(
        'deadLetters',
        'Dead letters',
        dead,
        dead === null ? '—' : count(dead),
        dead === null ? 'not read here' : 'pending',
        dead === null ? '' : dead === 0 ? 'ok' : 'bad',
      ),
      kpi(
        'outboxPending',
        'Outbox',
        t.outboxPending,
        t.outboxPending === null ? '—' : count(t.outboxPending),
        !outbox
          ? 'no outbox'
          : outbox.pending === 0
            ? 'all published'
            : `pending · oldest ${age(outbox.oldestPendingAgeMs)}`,
        outbox ? (outbox.dead > 0 ? 'bad' : outbox.pending === 0 ? 'ok' : '') : '',
      ),
    ].join('')}</section>`;
  }

  function rateCell(value: number | null, max: number): string {
    return `<span class="rate">${field('messagesPerSecond', value, rate(value))}${bar(value === null || max === 0 ? 0 : value / max)}</span>`;
  }

  function topicRows(topic: TopicView, max: number): string {
    const open = expanded.has(topic.key);
    const head = `<tr data-topic="${esc(topic.key)}"><td><button class="toggle" type="button" data-toggle="${esc(topic.key)}" aria-expanded="${open}">${esc(topic.name)}</button></td><td class="wide">${field('partitions', topic.partitions.length, count(topic.partitions.length))}</td><td>${field('messages', topic.messages, count(topic.messages))}</td><td class="wide">${field('sizeBytes', topic.sizeBytes, bytes(topic.sizeBytes))}</td><td>${rateCell(topic.messagesPerSecond, max)}</td></tr>`;
    const maxPartition = Math.max(0, ...topic.partitions.map((p) => p.messagesPerSecond ?? 0));
    const rows = topic.partitions.map(
      (p) =>
        `<tr class="sub" data-partition="${esc(`${topic.key}/${p.id}`)}" data-of="${esc(topic.key)}"${open ? '' : ' hidden'}><td>partition ${p.id}</td><td class="wide">${field('currentOffset', p.currentOffset, p.currentOffset === null ? 'empty' : `@ ${count(p.currentOffset)}`)}</td><td>${field('messages', p.messages, count(p.messages))}</td><td class="wide">${field('sizeBytes', p.sizeBytes, bytes(p.sizeBytes))}</td><td>${rateCell(p.messagesPerSecond, maxPartition)}</td></tr>`,
    );
    return head + rows.join('');
  }

  function streams(list: StreamView[]): string {
    if (list.length === 0) return `<h2>Streams</h2><div class="card empty">No streams yet.</div>`;
    const cards = list.map((stream) => {
      const max = Math.max(0, ...stream.topics.map((t) => t.messagesPerSecond ?? 0));
      return `<div class="card stream" data-stream="${esc(stream.name)}"><div class="card-head"><span class="title">${esc(stream.name)}</span><span class="meta">${count(stream.messages)} messages · ${bytes(stream.sizeBytes)} · ${rate(stream.messagesPerSecond)} msg/s</span></div><div class="table-wrap"><table><thead><tr><th>Topic</th><th class="wide">Partitions</th><th>Messages</th><th class="wide">Size</th><th>Msg/s</th></tr></thead><tbody>${stream.topics.map((t) => topicRows(t, max)).join('')}</tbody></table></div></div>`;
    });
    return `<h2>Streams<span class="count">${list.length}</span></h2>${cards.join('')}`;
  }

  function stateBadge(group: GroupView): string {
    if (group.run) {
      const tone = group.run.state === 'running' ? 'ok' : group.run.state === 'stopped' ? 'bad' : 'warn';
      return `<span class="badge ${tone}" data-field="state">${esc(group.run.state)}</span>`;
    }
    if (group.members === null) return '';
    const tone = group.members.length > 0 ? 'ok' : 'warn';
    return `<span class="badge ${tone}" data-field="state">${group.members.length > 0 ? 'active' : 'no members'}</span>`;
  }

  function figure(name: string, label: string, value: number | null, text: string, tone = ''): string {
    return `<div class="figure ${tone}"><div class="label">${esc(label)}</div><div class="value">${field(name, value, text)}</div></div>`;
  }

  function groupCard(group: GroupView): string {
    const owner = new Map<number, number>();
    for (const m of group.members ?? []) for (const p of m.partitions) owner.set(p, m.id);
    const maxLag = Math.max(0, ...group.partitions.map((p) => p.lag));
    const figures = [
      figure('lag', 'Lag', group.lag, count(group.lag), group.lag > 0 ? 'warn' : ''),
      figure('consumedPerSecond', 'Consumed/s', group.consumedPerSecond, rate(group.consumedPerSecond)),
      figure(
        'members',
        'Members',
        group.members?.length ?? null,
        group.members === null ? '—' : count(group.members.length),
      ),
    ];
    if (group.run) {
      figures.push(figure('handled', 'Handled', group.run.handled, count(group.run.handled)));
      figures.push(
        figure(
          'deadLettered',
          'Dead-lettered',
          group.run.deadLettered,
          count(group.run.deadLettered),
          group.run.deadLettered > 0 ? 'bad' : '',
        ),
      );
    }
    const members =
      group.members && group.members.length > 0
        ? `<div class="members">${group.members.map((m) => `<span class="chip">member ${m.id} → ${m.partitions.length > 0 ? esc(m.partitions.join(', ')) : 'no partitions'}</span>`).join('')}</div>`
        : '';
    const rows = group.partitions.map((p) => {
      const member = owner.get(p.partition);
      return `<tr data-group-partition="${esc(`${group.key}/${p.partition}`)}"><td>partition ${p.partition}</td><td class="wide">${member === undefined ? '—' : `member ${member}`}</td><td>${field('storedOffset', p.storedOffset, p.storedOffset === null ? 'none' : `@ ${count(p.storedOffset)}`)}</td><td><span class="rate">${field('lag', p.lag, count(p.lag))}${bar(maxLag === 0 ? 0 : p.lag / maxLag, 'lag')}</span></td></tr>`;
    });
    return `<div class="card group" data-group="${esc(group.key)}"><div class="card-head"><span class="title">${esc(group.name)}</span><span class="meta">${esc(`${group.stream} / ${group.topic}`)} ${stateBadge(group)}</span></div><div class="figures">${figures.join('')}</div>${members}<div class="table-wrap"><table><thead><tr><th>Partition</th><th class="wide">Member</th><th>Stored</th><th>Lag</th></tr></thead><tbody>${rows.join('')}</tbody></table></div></div>`;
  }

  function groups(list: GroupView[]): string {
    const body =
      list.length === 0
        ? `<div class="card empty">No consumer groups yet.</div>`
        : `<div class="groups">${list.map(groupCard).join('')}</div>`;
    return `<h2>Consumer groups<span class="count">${list.length}</span></h2>${body}`;
  }

  function missing<T>(section: Section<T>): string | null {
    if (section.status === 'ok') return null;
    const text = section.status === 'error' ? `Cannot read it now: ${section.error}` : section.reason;
    return `<div class="card missing" data-missing="${section.status}">${esc(text)}</div>`;
  }

  function deadLetters(section: Section<DeadLetterView[]>): string {
    const head = `<h2>Dead letters${section.status === 'ok' ? `<span class="count">${section.data.reduce((n, d) => n + d.count, 0)}</span>` : ''}</h2>`;
    const gone = missing(section);
    if (gone !== null || section.status !== 'ok') return head + gone;
    if (section.data.length === 0) return `${head}<div class="card empty">None pending.</div>`;
    const rows = section.data.map(
      (d) =>
        `<tr data-dead-letter="${esc(d.key)}"><td>${esc(d.group)}</td><td class="text">${esc(d.eventType ?? 'unreadable')}</td><td>${field('count', d.count, count(d.count))}</td><td class="wrap"><span class="error-name">${esc(d.lastError.name)}</span> ${field('lastError', d.lastError.message, d.lastError.message)}</td><td class="wide">${esc(ago(d.lastFailedAt))}</td></tr>`,
    );
    return `${head}<div class="card"><div class="table-wrap"><table><thead><tr><th>Group</th><th class="text">Event type</th><th>Pending</th><th class="text">Last error</th><th class="wide">Last failed</th></tr></thead><tbody>${rows.join('')}</tbody></table></div></div>`;
  }

  function outbox(section: Section<OutboxView>): string {
    const head = '<h2>Outbox</h2>';
    const gone = missing(section);
    if (gone !== null || section.status !== 'ok') return head + gone;
    const o = section.data;
    const relay = o.relay;
    const figures = [
      figure('pending', 'Pending', o.pending, count(o.pending), o.pending > 0 ? 'warn' : ''),
      figure('oldestPendingAgeMs', 'Oldest pending', o.oldestPendingAgeMs, age(o.oldestPendingAgeMs)),
      figure('dead', 'Dead rows', o.dead, count(o.dead), o.dead > 0 ? 'bad' : ''),
    ];
    if (relay) {
      figures.push(figure('published', 'Published', relay.published, count(relay.published)));
      figures.push(
        figure(
          'failures',
          'Failures',
          relay.failures,
          count(relay.failures),
          relay.failures > 0 ? 'warn' : '',
        ),
      );
    }
    const tone = !relay ? '' : relay.state === 'backoff' ? 'bad' : relay.state === 'standby' ? 'warn' : 'ok';
    const state = relay
      ? `<span class="badge ${tone}" data-field="relayState">relay ${esc(relay.state)}</span>`
      : '<span class="badge">not relayed here</span>';
    const error = relay?.lastError ? `<div class="missing">Last error: ${esc(relay.lastError)}</div>` : '';
    return `${head}<div class="card" data-outbox><div class="card-head"><span class="title">Transactional outbox</span><span class="meta">${state}</span></div><div class="figures">${figures.join('')}</div>${error}</div>`;
  }

  function render(s: DashboardSnapshot): void {
    if (!touched) {
      // Until the reader opens or closes a topic, the busiest one is open on its partitions.
      const topics = s.streams.flatMap((stream) => stream.topics);
      const busiest = topics.sort((a, b) => b.messages - a.messages)[0];
      expanded.clear();
      if (busiest && busiest.messages > 0) expanded.add(busiest.key);
    }
    throughput.push(s.totals.messagesPerSecond ?? 0);
    if (throughput.length > HISTORY) throughput.shift();
    sourceText.textContent = s.source;
    document.title = `Iggy · ${s.source}`;
    app.dataset.takenAt = s.takenAt;
    app.innerHTML =
      kpis(s) + streams(s.streams) + groups(s.groups) + deadLetters(s.deadLetters) + outbox(s.outbox);
    // Widths set through the CSSOM: the page's Content-Security-Policy allows no inline style.
    for (const el of app.querySelectorAll<HTMLElement>('[data-w]')) el.style.width = `${el.dataset.w}%`;
  }

  /** `headline` always shows; `detail` only where there is room. */
  function setStatus(
    state: 'live' | 'stale' | 'reconnecting' | 'connecting',
    headline: string,
    detail = '',
  ): void {
    statusBox.dataset.state = state;
    statusText.innerHTML = `${esc(headline)}${detail ? `<span class="wide"> · ${esc(detail)}</span>` : ''}`;
  }

  function tick(): void {
    const seconds = (Date.now() - receivedAt) / 1000;
    const when = seconds < 2 ? 'just now' : `${Math.round(seconds)} s ago`;
    if (!connected) {
      if (receivedAt > 0) setStatus('reconnecting', 'reconnecting', `updated ${when}`);
    } else if (problem) setStatus('stale', 'server cannot read', problem);
    else if (receivedAt === 0) return;
    else if (seconds * 1000 > config.refreshMs * 3) setStatus('stale', 'no update', when);
    else setStatus('live', 'live', `updated ${when}`);
  }

  function receive(text: string): void {
    render(JSON.parse(text) as DashboardSnapshot);
    receivedAt = Date.now();
    tick();
  }

  function connect(): void {
    const source = new EventSource(`${config.base}/events${config.query}`);
    source.onopen = () => {
      connected = true;
    };
    source.onmessage = (event) => {
      connected = true;
      problem = '';
      receive(String(event.data));
    };
    source.addEventListener('problem', (event) => {
      problem = String((JSON.parse(String((event as MessageEvent).data)) as { error: string }).error);
      tick();
    });
    source.onerror = () => {
      connected = false;
      tick();
      if (receivedAt === 0) setStatus('reconnecting', 'cannot reach the server', 'retrying…');
      // A refused feed (401, 403) is closed for good by the browser: try again a little later.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
    };
  }

  app.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLElement>('[data-toggle]');
    const key = button?.dataset.toggle;
    if (!button || key === undefined) return;
    touched = true;
    const open = !expanded.has(key);
    if (open) expanded.add(key);
    else expanded.delete(key);
    button.setAttribute('aria-expanded', String(open));
    for (const row of app.querySelectorAll<HTMLElement>('tr[data-of]')) {
      if (row.dataset.of === key) row.hidden = !open;
    }
  });
  setInterval(tick, 1000);
  connect();
}
