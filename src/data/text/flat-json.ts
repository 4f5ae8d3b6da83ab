/**
 * The flat JSON objects inside Keras's Tokenizer.to_json(): word_counts, word_docs, word_index,
 * index_word and index_docs are each a JSON object written by Python's json.dumps and stored as a
 * string inside the config. They are read here into Maps, in the order of the file: JSON.parse
 * would move integer-like keys ("1", "2024") to the front, which changes Keras's tie order by
 * first appearance, and would hand '__proto__' to an object. Words never reach Object.prototype.
 */

/** Reads `{"key": value, ...}` whose values are numbers or strings, keeping the order of the keys. */
export function parseFlatObject(text: string, where: string): Map<string, number | string> {
  const out = new Map<string, number | string>();
  let at = 0;
  const fail = (what: string): never => {
    throw new Error(`${where}: expected a flat JSON object of words; ${what} at character ${at} of ` +
      `${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text)}`);
  };
  const skipSpace = (): void => { while (at < text.length && ' \t\n\r'.includes(text[at]!)) at++; };
  const readString = (): string => {
    const start = at;
    if (text[at] !== '"') fail('a string must start with \'"\'');
    at++;
    while (at < text.length && text[at] !== '"') at += text[at] === '\\' ? 2 : 1;
    if (at >= text.length) fail('an unterminated string');
    at++;
    return JSON.parse(text.slice(start, at)) as string;
  };
  const readValue = (): number | string => {
    if (text[at] === '"') return readString();
    const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at, at + 40));
    if (!match) return fail('a value that is neither a number nor a string');
    at += match[0].length;
    return Number(match[0]);
  };
  if (typeof text !== 'string') fail(`a ${typeof text} instead of a string`);
  skipSpace();
  if (text[at] !== '{') fail('no \'{\'');
  at++;
  skipSpace();
  if (text[at] === '}') at++;
  else {
    for (;;) {
      skipSpace();
      const key = readString();
      skipSpace();
      if (text[at] !== ':') fail('no \':\' after a key');
      at++;
      skipSpace();
      out.set(key, readValue());
      skipSpace();
      if (text[at] === ',') { at++; continue; }
      if (text[at] === '}') { at++; break; }
      fail('neither \',\' nor \'}\' after a value');
    }
  }
  skipSpace();
  if (at !== text.length) fail('text after the closing \'}\'');
  return out;
}

/**
 * A Map as Python's json.dumps writes a dict: `{"a": 1, "b": 2}`, non-ASCII characters as
 * \uXXXX escapes (ensure_ascii), so Keras's tokenizer_from_json reads what sora writes.
 */
export function dumpFlatObject(entries: Iterable<readonly [string | number, string | number]>): string {
  const parts: string[] = [];
  for (const [key, value] of entries) parts.push(`${pythonString(String(key))}: ${typeof value === 'string' ? pythonString(value) : value}`);
  return `{${parts.join(', ')}}`;
}

/** A JSON string as Python's json.dumps writes it (non-ASCII escaped). */
export function pythonString(value: string): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
