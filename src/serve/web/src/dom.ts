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

/** A table from column headers and rows of cells. */
export function table(headers: string[], rows: Child[][], cls = 'data'): HTMLTableElement {
  return h('table', { class: cls },
    h('thead', null, h('tr', null, headers.map((x) => h('th', null, x)))),
    h('tbody', null, rows.length ? rows.map((r) => h('tr', null, r.map((c) => h('td', null, c)))) : h('tr', null, h('td', { class: 'empty' }, 'Nothing yet.'))));
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
