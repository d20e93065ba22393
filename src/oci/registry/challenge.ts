/** A parsed `WWW-Authenticate` header: `Bearer realm="...",service="...",scope="..."`. */
export interface AuthChallenge {
  /** Lower case: `basic` or `bearer`. */
  readonly scheme: string;
  /** Parameter names in lower case. */
  readonly params: Readonly<Record<string, string>>;
}

/** Parses the first challenge of a `WWW-Authenticate` value; undefined when there is none. */
export function parseChallenge(header: string | undefined): AuthChallenge | undefined {
  if (!header) return undefined;
  const match = /^\s*([A-Za-z][A-Za-z0-9_-]*)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const param = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/gy;
  const rest = match[2];
  param.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (param.lastIndex < rest.length && (m = param.exec(rest)) !== null) {
    params[m[1].toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
  }
  return { scheme: match[1].toLowerCase(), params };
}
