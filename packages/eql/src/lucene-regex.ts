/**
 * Translates a Lucene regular expression (the syntax of Elasticsearch's `regexp` query, which EQL's `regex` uses)
 * into an anchored JavaScript RegExp. Lucene matches the whole value, treats `"..."` as literal text, `@` as any
 * string and `#` as the empty language; `~` (complement), `&` (intersection) and `<n-m>` (numeric ranges) are
 * rejected because they are not enabled for EQL.
 */
export function luceneRegexToJs(pattern: string, insensitive: boolean): RegExp {
  let out = '';
  let i = 0;
  const n = pattern.length;
  let inClass = false;
  while (i < n) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw new Error('trailing backslash');
      out += /[dDsSwW]/.test(next) ? `\\${next}` : escapeChar(next);
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      i++;
      continue;
    }
    switch (c) {
      case '[':
        inClass = true;
        out += '[';
        if (pattern[i + 1] === '^') {
          out += '^';
          i++;
        }
        break;
      case '"': {
        const end = pattern.indexOf('"', i + 1);
        if (end < 0) throw new Error('unterminated quoted text');
        for (const ch of pattern.slice(i + 1, end)) out += escapeChar(ch);
        i = end;
        break;
      }
      case '@':
        out += '[\\s\\S]*';
        break;
      case '#':
        out += '(?!)';
        break;
      case '.':
        out += '[\\s\\S]';
        break;
      case '~':
      case '&':
      case '<':
      case '>':
        throw new Error(`operator [${c}] is not supported`);
      case '(':
        out += '(?:';
        break;
      default:
        out += c === '/' ? '\\/' : c;
    }
    i++;
  }
  if (inClass) throw new Error('unterminated character class');
  return new RegExp(`^(?:${out})$`, insensitive ? 'i' : '');
}

function escapeChar(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}
