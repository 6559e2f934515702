/**
 * Building the page without ever parsing data as HTML: every string becomes a text node
 * (textContent), links are only ever relative paths or http(s) URLs.
 */
export type Child = Node | string | number | null | undefined | false | Child[];

export interface Attrs {
  class?: string;
  href?: string;
  id?: string;
  title?: string;
  type?: string;
  name?: string;
  value?: string;
  placeholder?: string;
  for?: string;
  data?: Record<string, string>;
  external?: boolean;
}

/** A safe href: same-origin paths, or http(s) links; anything else (javascript:, data:) is dropped. */
export function safeHref(href: string): string | null {
  if (href.startsWith('/') && !href.startsWith('//')) return href;
  try {
    const u = new URL(href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null;
  } catch {
    return null;
  }
}

/** Creates an element; strings become text nodes. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs | null = null, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    if (attrs.class) el.className = attrs.class;
    if (attrs.id) el.id = attrs.id;
    if (attrs.title) el.title = attrs.title;
    for (const k of ['type', 'name', 'value', 'placeholder', 'for'] as const) if (attrs[k] !== undefined) el.setAttribute(k, attrs[k]!);
    if (attrs.href !== undefined) {
      const href = safeHref(attrs.href);
      if (href) el.setAttribute('href', href);
      if (attrs.external) {
        el.setAttribute('rel', 'noopener noreferrer nofollow');
        el.setAttribute('target', '_blank');
        el.dataset.external = '1';
      }
    }
    for (const [k, v] of Object.entries(attrs.data ?? {})) el.dataset[k] = v;
  }
  append(el, children);
  return el;
}

function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

/** Formats epoch ms as a UTC timestamp. */
export function time(ms: number | null | undefined): string {
  if (ms == null) return '—';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** Formats a rate as a percentage. */
export function pct(x: number | null | undefined, digits = 1): string {
  return x == null || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)}%`;
}

/** Formats a count with thousands separators. */
export function count(n: number | null | undefined): string {
  return n == null ? '—' : n.toLocaleString('en-US');
}

/**
 * A table from column headers and rows of cells. Each cell carries its column's name
 * (`data-label`), so at phone width the stylesheet shows every row as a card of labelled
 * fields instead of a table wider than the screen; a cell holding running text (`.text`) gets
 * the card's full width.
 */
export function table(headers: string[], rows: Child[][], cls = 'data'): HTMLTableElement {
  const cell = (c: Child, i: number) => {
    const td = h('td', { data: { label: headers[i] ?? '' } }, c);
    if (c instanceof Element && (c.classList.contains('text') || c.classList.contains('fields'))) td.classList.add('wide');
    return td;
  };
  return h('table', { class: cls },
    h('thead', null, h('tr', null, headers.map((x) => h('th', null, x)))),
    h('tbody', null, rows.length ? rows.map((r) => h('tr', null, r.map(cell))) : h('tr', null, empty(headers.length))));
}

function empty(columns: number): HTMLTableCellElement {
  const td = h('td', { class: 'empty' }, 'Nothing yet.');
  td.colSpan = Math.max(1, columns);
  return td;
}

/** Appends children to `root`, skipping null and false (Element.append would print them as "null"). */
export function mount(root: Element, ...children: Child[]): void {
  append(root, children);
}

/** Epoch milliseconds from 2000 to 2100: a number in this range in evidence is a time, whatever its key. */
const MS_RANGE = [946_684_800_000, 4_102_444_800_000] as const;
/** Keys that name a time, so epoch seconds under them are read as one too. */
const TIME_KEY = /(?:^|[_\s-]|[a-z])(?:at|At|time|Time|date|Date|since|Since|until|Until|ts|seen|Seen|missing|Missing|oldest|Oldest|newest|Newest)$/;
const ID_KEY = /(?:id|Id|ID)$/;

/** How a key reads: `lastSeenAt` and `last_seen_at` both become "last seen at". */
export function fieldLabel(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase().trim();
}

/** A JSON value as stored (status evidence, observation detail) shown as readable, labelled fields. */
export function fields(value: unknown, key = ''): HTMLElement {
  return h('div', { class: 'fields' }, fieldValue(value, key, 0));
}

function fieldValue(value: unknown, key: string, depth: number): Child {
  if (value === null || value === undefined || value === '') return h('span', { class: 'muted' }, '—');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') {
    if (!ID_KEY.test(key) && Number.isInteger(value)) {
      if (value >= MS_RANGE[0] && value < MS_RANGE[1]) return time(value);
      if (TIME_KEY.test(key) && value * 1000 >= MS_RANGE[0] && value * 1000 < MS_RANGE[1]) return time(value * 1000);
    }
    return String(value);
  }
  if (typeof value === 'string') {
    // A body or note that is itself JSON (a platform's error answer) is shown as its fields, not as escaped text.
    const t = value.trim();
    if (depth < 6 && (t.startsWith('{') || t.startsWith('['))) {
      try {
        const parsed: unknown = JSON.parse(t);
        if (parsed !== null && typeof parsed === 'object') return fieldValue(parsed, key, depth + 1);
      } catch { /* not JSON: text */ }
    }
    return h('span', { class: 'text' }, clip(value, 600));
  }
  if (Array.isArray(value)) {
    if (!value.length) return h('span', { class: 'muted' }, 'none');
    if (value.every((v) => v === null || typeof v !== 'object')) return value.map((v, i) => [i ? ', ' : '', fieldValue(v, key, depth + 1)]);
    return h('ol', { class: 'field-list' }, value.slice(0, 50).map((v) => h('li', null, fieldValue(v, key, depth + 1))));
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (!entries.length) return h('span', { class: 'muted' }, 'none');
    if (depth >= 6) return h('span', { class: 'muted' }, `${entries.length} more fields`);
    return h('dl', { class: 'field-dl' }, entries.map(([k, v]) => [h('dt', null, fieldLabel(k)), h('dd', null, fieldValue(v, k, depth + 1))]));
  }
  return String(value);
}

/** How a status or disappearance kind reads: `deleted` says the actor is unknown, not the author. */
export function statusLabel(status: string): string {
  return status === 'deleted' ? 'deleted (actor unknown)' : status.replace(/_/g, ' ');
}

/** A status word with a class for its colour. */
export function statusBadge(status: string): HTMLElement {
  return h('span', { class: `badge s-${status.replace(/[^a-z_]/g, '')}` }, statusLabel(status));
}

/** Shortens text for a table cell (the full text is on the post page). */
export function clip(text: string, n = 160): string {
  return text.length > n ? `${text.slice(0, n)}…` : text;
}
