import { EqlSyntaxError } from './errors';

export type TokenKind = 'ident' | 'tident' | 'qident' | 'string' | 'number' | 'op' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Identifier name, operator text, or decoded string content. */
  text: string;
  /** Numeric value of a number token. */
  num: number;
  isDecimal: boolean;
  offset: number;
  line: number;
  column: number;
}

const OPERATORS = ['==', '!=', '<=', '>=', '![', '<', '>', '=', ':', '+', '-', '*', '/', '%', '(', ')', '[', ']', ',', '.', '|', '?'];

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 64;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Splits a query into tokens in one linear pass; every failure is an EqlSyntaxError with its position. */
export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let lineStart = 0;
  let i = 0;
  const n = src.length;
  const fail = (message: string, at: number): never => {
    // the line of `at` can differ from the current one only inside multi-line tokens
    let l = 1;
    let ls = 0;
    for (let k = 0; k < at && k < n; k++) {
      if (src.charCodeAt(k) === 10) {
        l++;
        ls = k + 1;
      }
    }
    throw new EqlSyntaxError(message, l, at - ls + 1);
  };
  const push = (kind: TokenKind, text: string, start: number, startLine: number, startCol: number, num = 0, isDecimal = false): void => {
    tokens.push({ kind, text, num, isDecimal, offset: start, line: startLine, column: startCol });
  };
  const newlinesIn = (from: number, to: number): void => {
    for (let k = from; k < to; k++) {
      if (src.charCodeAt(k) === 10) {
        line++;
        lineStart = k + 1;
      }
    }
  };

  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 10) {
      line++;
      i++;
      lineStart = i;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12) {
      i++;
      continue;
    }
    const start = i;
    const col = i - lineStart + 1;
    const startLine = line;
    if (c === 47 && src.charCodeAt(i + 1) === 47) {
      while (i < n && src.charCodeAt(i) !== 10) i++;
      continue;
    }
    if (c === 47 && src.charCodeAt(i + 1) === 42) {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated comment, expected */', start);
      newlinesIn(i, end + 2);
      i = end + 2;
      continue;
    }
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(src.charCodeAt(i))) i++;
      const text = src.slice(start, i);
      if (src.charCodeAt(i) === 126) {
        i++;
        push('tident', text, start, startLine, col);
      } else {
        push('ident', text, start, startLine, col);
      }
      continue;
    }
    if (isDigit(c)) {
      while (i < n && isDigit(src.charCodeAt(i))) i++;
      let isDecimal = false;
      if (src.charCodeAt(i) === 46 && isDigit(src.charCodeAt(i + 1))) {
        isDecimal = true;
        i++;
        while (i < n && isDigit(src.charCodeAt(i))) i++;
      }
      const e = src.charCodeAt(i);
      if (e === 101 || e === 69) {
        let j = i + 1;
        const sign = src.charCodeAt(j);
        if (sign === 43 || sign === 45) j++;
        if (isDigit(src.charCodeAt(j))) {
          isDecimal = true;
          i = j;
          while (i < n && isDigit(src.charCodeAt(i))) i++;
        }
      }
      const text = src.slice(start, i);
      push('number', text, start, startLine, col, Number(text), isDecimal);
      continue;
    }
    if (c === 96) {
      // backquoted identifier; `` is an escaped backquote
      let text = '';
      i++;
      for (;;) {
        if (i >= n) fail('unterminated quoted identifier, expected `', start);
        const d = src.charCodeAt(i);
        if (d === 96) {
          if (src.charCodeAt(i + 1) === 96) {
            text += '`';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        if (d === 10) fail('unterminated quoted identifier, expected `', start);
        text += src[i];
        i++;
      }
      if (text.length === 0) fail('empty quoted identifier', start);
      push('qident', text, start, startLine, col);
      continue;
    }
    if (c === 34) {
      if (src.startsWith('"""', i)) {
        const end = src.indexOf('"""', i + 3);
        if (end < 0) fail('unterminated raw string, expected """', start);
        // a raw string may end with up to two extra quotes that belong to its content
        let stop = end;
        while (src.charCodeAt(stop + 3) === 34 && stop < end + 2) stop++;
        const text = src.slice(i + 3, stop);
        newlinesIn(i, stop + 3);
        i = stop + 3;
        push('string', text, start, startLine, col);
        continue;
      }
      i++;
      let text = '';
      let chunk = i;
      for (;;) {
        if (i >= n) fail('unterminated string, expected "', start);
        const d = src.charCodeAt(i);
        if (d === 34) {
          text += src.slice(chunk, i);
          i++;
          break;
        }
        if (d === 10 || d === 13) fail('unterminated string, expected "', start);
        if (d === 92) {
          text += src.slice(chunk, i);
          const e = src[i + 1];
          switch (e) {
            case 'n': text += '\n'; i += 2; break;
            case 'r': text += '\r'; i += 2; break;
            case 't': text += '\t'; i += 2; break;
            case 'b': text += '\b'; i += 2; break;
            case 'f': text += '\f'; i += 2; break;
            case '"': text += '"'; i += 2; break;
            case "'": text += "'"; i += 2; break;
            case '\\': text += '\\'; i += 2; break;
            case 'u': {
              const m = /^\{([0-9a-fA-F]{2,8})\}/.exec(src.slice(i + 2, i + 14));
              const cp = m ? parseInt(m[1], 16) : NaN;
              if (!m || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
                fail('invalid unicode escape, expected \\u{XXXX} with 2 to 8 hex digits of a valid code point', i);
              }
              text += String.fromCodePoint(cp);
              i += 2 + (m ? m[0].length : 0);
              break;
            }
            default:
              fail(`invalid escape sequence [\\${e ?? ''}], expected one of \\n \\r \\t \\b \\f \\" \\' \\\\ \\u{...}`, i);
          }
          chunk = i;
          continue;
        }
        i++;
      }
      push('string', text, start, startLine, col);
      continue;
    }
    if (c === 39) fail("use double quotes [\"] to define string literals, not single quotes [']", start);
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (op === undefined) {
      const cp = src.codePointAt(i) ?? 0;
      fail(`unexpected character [${String.fromCodePoint(cp)}]`, start);
    } else {
      i += op.length;
      push('op', op, start, startLine, col);
      continue;
    }
  }
  push('eof', '<EOF>', n, line, n - lineStart + 1);
  return tokens;
}
