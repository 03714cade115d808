/**
 * The daemon's logger. Formats follow Python's logging so that JupyterHub's `log_format` and `log_datefmt`
 * strings work unchanged: %(levelname)s, %(asctime)s, %(msecs)d, %(name)s, %(module)s, %(lineno)d,
 * %(message)s, %(color)s/%(end_color)s and JupyterHub's %(highlevel)s, with printf-style width flags.
 */
import type { LogHandlerEntry } from './config/types.js';

export type LogLevelName = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL';

export const LOG_LEVELS: Record<LogLevelName, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40, CRITICAL: 50 };

export interface Logger {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
  child(name: string): Logger;
}

export interface LogOptions {
  level: number;
  format: string;
  datefmt: string;
  name?: string;
  color?: boolean;
  write?: (line: string) => void;
  /** JupyterHub.extra_log_handlers: each gets every record that passes `level` (and its own level). */
  handlers?: readonly LogSink[];
}

/** JupyterHub.extra_log_handlers as the logger takes them; the functions get LogRecords. */
export function logSinks(entries: readonly LogHandlerEntry[]): LogSink[] {
  return entries.map((e) => ({ handle: e.handle as (record: LogRecord) => unknown, level: e.level, label: e.label }));
}

/** A receiver of log records besides the log stream (JupyterHub.extra_log_handlers). */
export interface LogSink {
  handle: (record: LogRecord) => unknown;
  /** Records below this level are not given to it (Python's Handler.level). */
  level: number;
  /** How to name it when it fails: 'JupyterHub.extra_log_handlers[0]'. */
  label: string;
}

/** What a log handler receives: the fields of Python's logging.LogRecord that hub has, plus the formatted line. */
export interface LogRecord {
  name: string;
  levelno: number;
  levelname: string;
  msg: string;
  message: string;
  args: readonly unknown[];
  /** Seconds since the epoch, as Python's time.time(). */
  created: number;
  msecs: number;
  /** The time formatted with log_datefmt. */
  asctime: string;
  /** The part of hub that logged ('app', 'proxy', 'spawner', ...). */
  module: string;
  process: number;
  /** The line as hub writes it to stderr (log_format, without colours). */
  formatted: string;
  getMessage(): string;
}

const COLORS: Record<number, string> = { 10: '\x1b[34m', 20: '\x1b[32m', 30: '\x1b[33m', 40: '\x1b[31m', 50: '\x1b[35m' };
const LEVEL_NAMES: Record<number, string> = { 10: 'DEBUG', 20: 'INFO', 30: 'WARNING', 40: 'ERROR', 50: 'CRITICAL' };

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The strftime directives Python's logging users put in datefmt. Local time, as Python's logging uses. */
export function strftime(fmt: string, d: Date): string {
  return fmt.replace(/%([a-zA-Z%])/g, (whole, c: string) => {
    switch (c) {
      case 'Y': return String(d.getFullYear());
      case 'y': return pad(d.getFullYear() % 100, 2);
      case 'm': return pad(d.getMonth() + 1, 2);
      case 'd': return pad(d.getDate(), 2);
      case 'H': return pad(d.getHours(), 2);
      case 'I': return pad(((d.getHours() + 11) % 12) + 1, 2);
      case 'p': return d.getHours() < 12 ? 'AM' : 'PM';
      case 'M': return pad(d.getMinutes(), 2);
      case 'S': return pad(d.getSeconds(), 2);
      case 'f': return pad(d.getMilliseconds() * 1000, 6);
      case 'b': return MONTHS[d.getMonth()] ?? '';
      case 'a': return DAYS[d.getDay()] ?? '';
      case 'j': return pad(Math.floor((d.getTime() - new Date(d.getFullYear(), 0, 0).getTime()) / 86_400_000), 3);
      case 'z': {
        const off = -d.getTimezoneOffset();
        return (off >= 0 ? '+' : '-') + pad(Math.floor(Math.abs(off) / 60), 2) + pad(Math.abs(off) % 60, 2);
      }
      case '%': return '%';
      default: return whole;
    }
  });
}

interface Record_ { levelno: number; name: string; module?: string; message: string; when: Date; color: boolean }

const FIELD = /%\((\w+)\)([-#0 +]*)(\d*)(?:\.(\d+))?([sdf])/g;

export function formatRecord(format: string, datefmt: string, r: Record_): string {
  const levelname = LEVEL_NAMES[r.levelno] ?? 'INFO';
  const fields: Record<string, string | number> = {
    levelname,
    levelno: r.levelno,
    name: r.name,
    message: r.message,
    asctime: strftime(datefmt, r.when),
    msecs: r.when.getMilliseconds(),
    created: r.when.getTime() / 1000,
    module: r.module ?? 'app',
    lineno: 0,
    funcName: '',
    process: process.pid,
    // JupyterHub's highlevel: level letter only at WARNING and above.
    highlevel: r.levelno >= 30 ? ` ${levelname.charAt(0)}` : '',
    color: r.color ? (COLORS[r.levelno] ?? '') : '',
    end_color: r.color ? '\x1b[0m' : '',
  };
  return format.replace(FIELD, (whole, key: string, flags: string, width: string, precision: string | undefined, conv: string) => {
    const value = fields[key];
    if (value === undefined) return whole;
    let text: string;
    if (conv === 'd') text = String(Math.trunc(Number(value)));
    else if (conv === 'f') text = Number(value).toFixed(precision === undefined ? 6 : Number(precision));
    else text = precision === undefined ? String(value) : String(value).slice(0, Number(precision));
    // Python's "%(msecs).03d" means zero-padded to 3; precision on %d pads with zeros.
    if (conv === 'd' && precision !== undefined) text = text.padStart(Number(precision), '0');
    const w = width === '' ? 0 : Number(width);
    if (w > text.length) text = flags.includes('-') ? text.padEnd(w) : text.padStart(w, flags.includes('0') ? '0' : ' ');
    return text;
  });
}

export function createLogger(opts: LogOptions): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const name = opts.name ?? 'JupyterHub';
  const dispatch = opts.handlers !== undefined && opts.handlers.length > 0 ? dispatcher(opts, write) : undefined;
  // Like JupyterHub, one logger name for the whole hub; a child names its part as the "module" field.
  const make = (module: string): Logger => {
    const emit = (levelno: number, message: string): void => {
      if (levelno < opts.level) return;
      const r: Record_ = { levelno, name, module, message, when: new Date(), color: opts.color ?? false };
      write(formatRecord(opts.format, opts.datefmt, r));
      dispatch?.(r);
    };
    return {
      debug: (m) => emit(10, m),
      info: (m) => emit(20, m),
      warn: (m) => emit(30, m),
      error: (m) => emit(40, m),
      child: (sub) => make(sub),
    };
  };
  return make('app');
}

/**
 * Gives each record to the extra handlers. A handler that throws (or whose promise rejects) is reported once, as
 * a log line that goes to the stream only, and keeps getting records; one that logs from inside handle() gets
 * no records of its own making (Python's logging would recurse).
 */
function dispatcher(opts: LogOptions, write: (line: string) => void): (r: Record_) => void {
  const sinks = opts.handlers ?? [];
  const reported = new Set<LogSink>();
  let busy = false;
  const failed = (sink: LogSink, err: unknown): void => {
    if (reported.has(sink)) return;
    reported.add(sink);
    const message = `${sink.label} failed: ${err instanceof Error ? err.message : String(err)} (its later failures are not reported)`;
    write(formatRecord(opts.format, opts.datefmt, { levelno: 40, name: opts.name ?? 'JupyterHub', module: 'log', message, when: new Date(), color: opts.color ?? false }));
  };
  return (r) => {
    if (busy) return;
    busy = true;
    try {
      const record = logRecord(opts, r);
      for (const sink of sinks) {
        if (r.levelno < sink.level) continue;
        try {
          const out = sink.handle(record);
          if (out instanceof Promise) out.catch((err: unknown) => failed(sink, err));
        } catch (err) {
          failed(sink, err);
        }
      }
    } finally {
      busy = false;
    }
  };
}

function logRecord(opts: LogOptions, r: Record_): LogRecord {
  const created = r.when.getTime() / 1000;
  return {
    name: r.name,
    levelno: r.levelno,
    levelname: LEVEL_NAMES[r.levelno] ?? 'INFO',
    msg: r.message,
    message: r.message,
    args: [],
    created,
    msecs: r.when.getMilliseconds(),
    asctime: strftime(opts.datefmt, r.when),
    module: r.module ?? 'app',
    process: process.pid,
    formatted: formatRecord(opts.format, opts.datefmt, { ...r, color: false }),
    getMessage: () => r.message,
  };
}

/** A logger that drops everything: for library calls from the CLI that have nothing to say. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
