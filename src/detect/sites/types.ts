/**
 * What the site watch decides about each capture of a tracked site, and the page features it
 * compares. The classifier (this folder) is a pure function of the current answer, the site's
 * earlier captures and, where the blocking probe has measured the host, its verdict.
 */

export const SITE_VERDICTS = ['reachable', 'updated', 'defaced', 'injected', 'taken_down', 'down', 'blocked'] as const;
/**
 * reachable: the page is as before (boilerplate aside); updated: an ordinary content change;
 * defaced: main content replaced; injected: spam, hidden links, iframes or scripts added to an
 * otherwise unchanged page; taken_down: 404/410, parked or expired domain, shutdown or
 * ICP-revocation notice; down: no answer; blocked: the probe found the site blocked.
 */
export type SiteVerdict = (typeof SITE_VERDICTS)[number];

/** Verdicts that mean the site is fine: moving between them is not a state change worth an alert. */
export const HEALTHY_VERDICTS: ReadonlySet<SiteVerdict> = new Set(['reachable', 'updated']);

/** What one visit got back, before classification. */
export type FetchOutcome =
  | { kind: 'answer'; at: number; status: number; finalUrl: string; headers: Headers; body: Uint8Array; truncated: boolean }
  | { kind: 'failure'; at: number; code: string; message: string };

/** The blocking probe's latest verdict for the host, where it runs. */
export interface ProbeHint {
  measurementId: number;
  at: number;
  /** The probe's own words: e.g. "dns", "tcp_ip", "http-diff", "http-failure"; null when accessible. */
  blocking: string | null;
  accessible: boolean | null;
}

/** The verdict of one capture and the sentences that justify it. */
export interface Classification {
  verdict: SiteVerdict;
  reasons: string[];
  /** The change against the baseline (JSON-serialisable), when there was one to compare. */
  diff: unknown | null;
  /** Which earlier capture served as the baseline (index into the history given), or null. */
  baselineIndex: number | null;
}

/** A link on a captured page (href resolved against the page's URL). */
export interface SnapshotLink {
  href: string;
  /** Lower-case host, with the port when not the default; '' for non-http links (mailto:, javascript:). */
  host: string;
  /** Normalised anchor text (capped at 100 characters). */
  text: string;
  /** Hidden by the element or an ancestor (display:none, visibility:hidden, hidden, off-screen, zero size, font-size 0...). */
  hidden: boolean;
  /** Inside an ad container or pointing at an ad host: rotates at every visit. */
  ad: boolean;
  /** Spam terms in the anchor text (absent when none). */
  spam?: string[];
}

/**
 * The features of one captured page that the classifier compares, stored as JSON in
 * `site_captures.snapshot`. Bounded: at most 600 main lines of at most 200 characters (and 64 000
 * characters in all), 150 chrome lines, 300 links, 40 iframes, 60 script hosts, 60 inline script
 * fingerprints, 128-value sketches; about 100 KB at worst, a few KB for an ordinary page.
 * The sketches are computed from the whole text before the caps.
 */
export interface PageSnapshot {
  v: 1;
  /** The URL that answered. */
  url: string;
  /** Registrable domain of `url` (eTLD+1), or its host and port when it has none (an IP address, localhost). */
  domain: string;
  status: number;
  contentType: string;
  /** The charset the body was decoded with, and how it was chosen. */
  charset: string;
  charsetFrom: 'header' | 'meta' | 'bom' | 'sniff' | 'default';
  /** "sha256:<hex>" of the body bytes. */
  bodyDigest: string;
  /** The body was cut at the fetch's cap, or the parser's. */
  truncated: boolean;
  title: string;
  /** The title with boilerplate normalised away (dates, numbers). */
  titleNorm: string;
  /** Visible main text, one normalised line per block, boilerplate away (capped). */
  lines: string[];
  /** Visible text of nav/header/footer/aside (normalised, capped). */
  chrome: string[];
  /** Length in characters of the visible main text, before normalisation and caps. */
  textLength: number;
  /** Bottom-k sketch (k = 128) of the main text's 4-token shingles: content similarity. */
  sketch: number[];
  /** Bottom-k sketch of the tag-path set: structural similarity. */
  skeleton: number[];
  /** Normalised texts of the navigation links (capped). */
  navTexts: string[];
  links: SnapshotLink[];
  /** How many links the page had before the cap. */
  linkCount: number;
  iframes: Array<{ src: string; host: string; hidden: boolean; ad: boolean }>;
  /** Hosts of external scripts. */
  scriptHosts: string[];
  /** Fingerprints of inline scripts (hash of their text with numbers and tokens normalised away). */
  inlineScripts: string[];
  /** Meta refresh or script redirect found in the page (the first of each). */
  redirects: Array<{ kind: 'meta' | 'script'; target: string; host: string }>;
  /** Marker terms (markers.ts) by where they were found. */
  markers: {
    title: string[];
    /** Visible text (main and chrome). */
    visible: string[];
    /** Text inside hidden elements. */
    hidden: string[];
    /** Defacement terms on a short visible line that is not a link's text (a banner, not a headline). */
    banner: string[];
  };
  /** Normalised text of hidden elements (capped at 2 000 characters). */
  hiddenText: string;
}
