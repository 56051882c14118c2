import type { SnippetLang } from './ranked-fix.js';

export interface SnippetValues {
  /** null when the message named none: prose shows `<host>`, code shows `HOST`. */
  host: string | null;
  port: number;
  gateway: string | null;
  /** Decimal of the main code / extended code, for GetErrorDescription(); null when the message had none. */
  codeDec: number | null;
  extDec: number | null;
}

const PLACEHOLDER = /\{(host|port|gateway|code_dec|ext_dec)\}/g;
const MAX_VALUE_CHARS = 255;

/**
 * Fills `{host}`, `{port}`, `{gateway}`, `{code_dec}`, `{ext_dec}` into a snippet. In the data,
 * text placeholders always sit INSIDE the snippet's own quotes ('…' in PowerShell, "…" in cmd and
 * .reg); each value is escaped for that context so it can never end the string, start a command
 * or expand a variable. Host names come from chat: treat them as hostile.
 */
export function fillPlaceholders(
  template: string,
  lang: SnippetLang | 'prose',
  values: SnippetValues,
): string {
  return template.replace(PLACEHOLDER, (_match, key: string) => {
    switch (key) {
      case 'port':
        return String(
          Number.isInteger(values.port) && values.port >= 1 && values.port <= 65535 ? values.port : 3389,
        );
      case 'code_dec':
        return numberOr(values.codeDec, lang === 'powershell' ? '0' : '<code>');
      case 'ext_dec':
        return numberOr(values.extDec, '0');
      default: {
        const value = key === 'host' ? values.host : values.gateway;
        if (value === null) return lang === 'prose' ? `<${key}>` : key.toUpperCase();
        return escapeFor(lang, value);
      }
    }
  });
}

function numberOr(value: number | null, fallback: string): string {
  return value !== null && Number.isSafeInteger(value) && value >= 0 ? String(value) : fallback;
}

/** Escapes a value for the inside of a quoted string of `lang`. */
export function escapeFor(lang: SnippetLang | 'prose', raw: string): string {
  // Control and format characters (newlines, NUL, bidi overrides, zero-width) and the Unicode
  // line separators never belong in a host name; they could start a new command line.
  const value = raw.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '').slice(0, MAX_VALUE_CHARS);
  switch (lang) {
    case 'powershell':
      // Inside '…' nothing expands ($(), `, ") and a quote is escaped by doubling. PowerShell also
      // treats the typographic single quotes as quote characters, so they are doubled as ASCII.
      return value.replace(/['\u2018\u2019\u201a\u201b]/g, "''");
    case 'cmd':
      // cmd has no escape inside "…": drop what could end the string or expand (% and ! with
      // delayed expansion), and the operators, should a future template forget the quotes.
      return value.replace(/["%!^&|<>`\u201c\u201d\u201e]/g, '');
    case 'reg':
      // .reg string values: backslash and double quote are backslash-escaped.
      return value.replace(/[\\"]/g, (c) => `\\${c}`);
    default:
      return value;
  }
}
