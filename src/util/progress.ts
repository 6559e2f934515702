/**
 * Progress for long work: a bar with a rate on a TTY, a plain line every few seconds otherwise
 * (logs and CI). Always on stderr, so `--json` output on stdout stays one clean document.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** Sets the total when it becomes known (0 = unknown). */
  setTotal(total: number): void;
  /** Adds `n` units done; `fields` are shown beside the count (e.g. disappearances). */
  tick(n?: number, fields?: Record<string, string | number>): void;
  stop(): void;
}

export interface ProgressOptions {
  label: string;
  unit?: string;
  /** Seconds between plain lines when not on a TTY. */
  every?: number;
  /** Where to write; defaults to stderr. */
  stream?: NodeJS.WriteStream;
  /** Force quiet (tests, --quiet). */
  quiet?: boolean;
}

/** Creates the right kind of progress reporter for the current terminal. */
export function createProgress(opts: ProgressOptions): Progress {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet) return { setTotal() {}, tick() {}, stop() {} };
  const unit = opts.unit ?? 'rows';
  const started = Date.now();
  let done = 0;
  let total = 0;
  let fields: Record<string, string | number> = {};
  const rate = () => Math.round(done / Math.max(0.001, (Date.now() - started) / 1000));
  const extra = () => Object.entries(fields).map(([k, v]) => ` ${k}=${v}`).join('');

  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${opts.label} [{bar}] {percentage}% {value}/{total} ${unit} | {rate} ${unit}/s{extra}`, stream, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(0, 0, { rate: 0, extra: '' });
    return {
      setTotal(t) { total = t; bar.setTotal(t); },
      tick(n = 1, f) { done += n; if (f) fields = f; bar.update(done, { rate: rate(), extra: extra() }); },
      stop() { bar.stop(); },
    };
  }
  const timer = setInterval(() => {
    const of = total ? `/${total}` : '';
    stream.write(`${opts.label}: ${done}${of} ${unit}, ${rate()} ${unit}/s${extra()}\n`);
  }, (opts.every ?? 5) * 1000);
  timer.unref();
  return {
    setTotal(t) { total = t; },
    tick(n = 1, f) { done += n; if (f) fields = f; },
    stop() { clearInterval(timer); },
  };
}
