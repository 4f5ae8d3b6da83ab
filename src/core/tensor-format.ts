/**
 * Tensor.toString / print, character for character as TF.js formats them: values with at
 * most 7 decimals (bool as true/false, strings in single quotes but a scalar's bare), columns
 * of rank >= 2 tensors padded to their widest entry, and dimensions over 20 long summarised to
 * their first and last 3 entries.
 */
const SUMMARISE_OVER = 20;
const EDGE = 3;
const DECIMALS = 7;

/** Values as `data()` gives them: numbers, or a string tensor's strings. */
type Values = ArrayLike<number> | ArrayLike<string>;

function valueText(v: number | string, dtype: string, width = 0): string {
  const text = typeof v === 'string' ? `'${v}'`
    : dtype === 'bool' ? (v === 0 ? 'false' : 'true') : String(parseFloat(v.toFixed(DECIMALS)));
  return text.padEnd(width);
}

/** Entry i as text; complex64 values are (re, im) pairs, written 're + imj' as TF.js writes them. */
function cellText(values: Values, i: number, dtype: string, width = 0): string {
  if (dtype !== 'complex64') return valueText(values[i], dtype, width);
  const pairs = values as ArrayLike<number>;
  return `${valueText(pairs[2 * i], 'float32')} + ${valueText(pairs[2 * i + 1], 'float32')}j`.padEnd(width);
}

/** Width of each column (the last dimension) over every row, for rank >= 2. */
function columnWidths(values: Values, shape: number[], dtype: string): number[] {
  if (shape.length < 2) return [];
  const columns = shape[shape.length - 1];
  const widths = new Array<number>(columns).fill(0);
  const count = dtype === 'complex64' ? values.length / 2 : values.length;
  for (let i = 0; i < count; i++) {
    const j = i % columns;
    widths[j] = Math.max(widths[j], cellText(values, i, dtype).length);
  }
  return widths;
}

function rows(values: Values, offset: number, shape: number[], dtype: string, widths: number[],
  isLast: boolean): string[] {
  const rank = shape.length;
  const n = shape[0];
  if (rank === 1) {
    const cell = (i: number) => cellText(values, offset + i, dtype, widths[i]);
    const shown = n > SUMMARISE_OVER
      ? [...range(0, EDGE).map(cell), '...', ...range(n - EDGE, n).map(cell)]
      : range(0, n).map(cell);
    return [`[${shown.join(', ')}]`];
  }
  const inner = shape.slice(1);
  const stride = inner.reduce((a, b) => a * b, 1);
  const sub = (i: number, last: boolean) => rows(values, offset + i * stride, inner, dtype, widths, last);
  const lines: string[] = [];
  if (n > SUMMARISE_OVER) {
    for (const i of range(0, EDGE)) lines.push(...sub(i, false));
    lines.push('...');
    for (const i of range(n - EDGE, n)) lines.push(...sub(i, i === n - 1));
  } else {
    for (const i of range(0, n)) lines.push(...sub(i, i === n - 1));
  }
  // Brackets and separators go on the first, middle and last lines (which may be one line).
  const comma = rank === 2 ? ',' : '';
  lines[0] = `[${n > 0 ? lines[0] + comma : ''}`;
  for (let i = 1; i < lines.length - 1; i++) lines[i] = ` ${lines[i]}${comma}`;
  const after = isLast ? '' : `,\n${'\n'.repeat(rank - 2)}`;
  lines[lines.length - 1] = ` ${lines[lines.length - 1]}]${after}`;
  return lines;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/** The text TF.js's `tensor.toString(verbose)` gives for these values. */
export function formatTensor(values: Values, shape: number[], dtype: string, verbose = false): string {
  const body = shape.length === 0
    ? [dtype === 'bool' || dtype === 'complex64' ? cellText(values, 0, dtype) : String(values[0])]
    : rows(values, 0, shape, dtype, columnWidths(values, shape, dtype), true);
  const lines = ['Tensor'];
  if (verbose) lines.push(`  dtype: ${dtype}`, `  rank: ${shape.length}`, `  shape: [${shape}]`, '  values:');
  lines.push(body.map((line) => `    ${line}`).join('\n'));
  return lines.join('\n');
}
