import { LoggerService } from '@nestjs/common';

const LEVELS = { debug: 10, verbose: 10, info: 20, log: 20, warn: 30, error: 40, fatal: 50 } as const;
type Level = keyof typeof LEVELS;

/** Structured logs: one JSON object per line on stdout (errors on stderr). */
export class JsonLogger implements LoggerService {
  private readonly threshold: number;

  constructor(
    private readonly app: string,
    level: 'debug' | 'info' | 'warn' | 'error' = 'info',
  ) {
    this.threshold = LEVELS[level];
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    if (LEVELS[level] < this.threshold) return;
    const context = rest.length > 0 && typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const extra = context === undefined ? rest : rest.slice(0, -1);
    const entry: Record<string, unknown> = {
      time: new Date().toISOString(), // log timestamps are wall-clock, not billing time
      level,
      app: this.app,
      context,
      msg: message instanceof Error ? message.message : typeof message === 'string' ? message : JSON.stringify(message),
    };
    if (message instanceof Error && message.stack) entry['stack'] = message.stack;
    for (const item of extra) {
      if (typeof item === 'string' && item.includes('\n')) entry['stack'] = item;
      else if (item !== undefined) entry['detail'] = item instanceof Error ? item.message : item;
    }
    const line = `${JSON.stringify(entry)}\n`;
    if (LEVELS[level] >= LEVELS.error) process.stderr.write(line);
    else process.stdout.write(line);
  }
}
