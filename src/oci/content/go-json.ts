/**
 * A JSON string literal exactly as Go's encoding/json writes it: HTML-sensitive `<`, `>`, `&`
 * and U+2028/U+2029 escaped, `\b \f \n \r \t` short forms, other control characters as
 * lowercase `\u00xx`, everything else (non-ASCII included) raw. Manifest digests depend on
 * these bytes.
 */
export function goJsonString(value: string): string {
  let out = '"';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (char === '"' || char === '\\') out += `\\${char}`;
    else if (char === '\b') out += '\\b';
    else if (char === '\f') out += '\\f';
    else if (char === '\n') out += '\\n';
    else if (char === '\r') out += '\\r';
    else if (char === '\t') out += '\\t';
    else if (code < 0x20 || char === '<' || char === '>' || char === '&')
      out += unicodeEscape(code);
    else if (code === 0x2028 || code === 0x2029) out += unicodeEscape(code);
    // A lone surrogate is not valid UTF-8; Go replaces invalid bytes with U+FFFD.
    else if (code >= 0xd800 && code <= 0xdfff) out += '\\ufffd';
    else out += char;
  }
  return `${out}"`;
}

function unicodeEscape(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

/** A Go `map[string]string` as JSON: keys sorted by their UTF-8 bytes, no whitespace. */
export function goJsonStringMap(map: Readonly<Record<string, string>>): string {
  const keys = Object.keys(map).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return `{${keys.map((key) => `${goJsonString(key)}:${goJsonString(map[key]!)}`).join(',')}}`;
}
