/**
 * How code running inside a runtime (headless Chromium, Deno) talks to the Node side: one
 * line per event on the console (Chromium) or stdout (Deno), so both runtimes report the
 * same way and a crash mid-run still leaves every earlier result readable.
 *
 *   SORA_INFO {json}     what the runtime found (adapter, user agent)
 *   SORA_RESULT {json}   one test case: { name, ok, error?, ms }
 *   SORA_DONE {json}     the run finished (summary object)
 *   SORA_FATAL "text"    the run could not start or continue (a JSON string)
 */

export interface CaseResult { name: string; ok: boolean; error?: string; ms: number }

const PREFIXES = ['SORA_INFO', 'SORA_RESULT', 'SORA_DONE', 'SORA_FATAL'] as const;
export type EventKind = (typeof PREFIXES)[number];
export interface RuntimeEvent { kind: EventKind; payload: unknown }

/** Parses one console/stdout line; null for anything that is not a protocol line. */
export function parseLine(line: string): RuntimeEvent | null {
  for (const kind of PREFIXES) {
    if (line.startsWith(`${kind} `)) {
      const rest = line.slice(kind.length + 1);
      try { return { kind, payload: JSON.parse(rest) }; } catch { return { kind: 'SORA_FATAL', payload: `unparsable line: ${line}` }; }
    }
  }
  return null;
}

/** In-runtime side: print one event. */
export function emit(kind: EventKind, payload: unknown): void {
  console.log(`${kind} ${JSON.stringify(payload)}`);
}

/** In-runtime side: end the run (Deno would otherwise wait on open handles). */
export function exitRuntime(code: number): void {
  const deno = (globalThis as { Deno?: { exit(code: number): never } }).Deno;
  if (deno) deno.exit(code);
}

/** In-runtime side: options from the page's query string (Chromium) or Deno.args (`key=value`). */
export function runtimeOptions(): Record<string, string> {
  const out: Record<string, string> = {};
  const deno = (globalThis as { Deno?: { args: string[] } }).Deno;
  const pairs: [string, string][] = deno
    ? deno.args.map((a) => { const i = a.indexOf('='); return [a.slice(0, i), a.slice(i + 1)] as [string, string]; })
    : [...new URLSearchParams((globalThis as { location?: { search: string } }).location?.search ?? '').entries()];
  for (const [k, v] of pairs) out[k] = v;
  return out;
}

/** Collects the events of one run; `done` resolves at SORA_DONE or SORA_FATAL. */
export class RunCollector {
  readonly results = new Map<string, CaseResult>();
  readonly info: unknown[] = [];
  readonly log: string[] = [];
  fatal: string | null = null;
  summary: unknown = null;
  private finish!: () => void;
  readonly done = new Promise<void>((resolve) => { this.finish = resolve; });

  line(text: string): void {
    const event = parseLine(text);
    if (!event) { this.log.push(text); if (this.log.length > 200) this.log.shift(); return; }
    if (event.kind === 'SORA_INFO') this.info.push(event.payload);
    else if (event.kind === 'SORA_RESULT') { const r = event.payload as CaseResult; this.results.set(r.name, r); }
    else if (event.kind === 'SORA_DONE') { this.summary = event.payload; this.finish(); }
    else { this.fatal ??= String(event.payload); this.finish(); }
  }

  fail(message: string): void { this.fatal ??= message; this.finish(); }

  /** The recent non-protocol output, for error messages. */
  tail(lines = 20): string { return this.log.slice(-lines).join('\n'); }
}
