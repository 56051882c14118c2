import type { FixSnippet, FixStep, SnippetLang } from '../report/ranked-fix.js';

export interface SnippetValues {
  /** null when the message named none: text and code show `<server>` and the step says what to put there. */
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
 * What a value the message did not give is shown as, and the line that tells the reader what to
 * put there. Visible on purpose: `<server>` can never reach a real machine by accident (the shell
 * rejects it, or the name does not resolve), where a plain `HOST` might.
 */
export const MISSING_VALUES = {
  host: {
    shown: '<server>',
    hint: 'Replace <server> with the name of the computer you connect to, as typed in the Remote Desktop client.',
  },
  gateway: {
    shown: '<gateway>',
    hint: 'Replace <gateway> with the RD Gateway server name (Remote Desktop Connection: Show Options > Advanced > Settings); leave out what names <gateway> if no gateway is used.',
  },
  code_dec: {
    shown: '<code>',
    hint: 'Replace <code> with the error code of the dialog in decimal (0x904 is 2308).',
  },
} as const;
type MissingKey = keyof typeof MISSING_VALUES;

/** A knowledge-base step as written: placeholders unfilled, with its undo when it changes something. */
export interface StepTemplate {
  text: string;
  snippet?: FixSnippet | undefined;
  undo?: { text: string; snippet?: FixSnippet | undefined } | undefined;
}

/**
 * A step as shown to the user: text, snippet and undo filled for this message. For every value
 * the message did not give, the part that uses it (step or undo) ends with the line saying what to
 * put in its place.
 */
export function renderStep(step: StepTemplate, values: SnippetValues): FixStep {
  const snippet = step.snippet && fillSnippet(step.snippet, values);
  const rendered: FixStep = {
    text: withHints(fillPlaceholders(step.text, 'prose', values), [step.text, step.snippet?.code], values),
    ...(snippet && { snippet }),
  };
  if (step.undo) {
    const undoSnippet = step.undo.snippet && fillSnippet(step.undo.snippet, values);
    rendered.undo = {
      text: withHints(
        fillPlaceholders(step.undo.text, 'prose', values),
        [step.undo.text, step.undo.snippet?.code],
        values,
      ),
      ...(undoSnippet && { snippet: undoSnippet }),
    };
  }
  return rendered;
}

function fillSnippet(snippet: FixSnippet, values: SnippetValues): FixSnippet {
  return { lang: snippet.lang, code: fillPlaceholders(snippet.code, snippet.lang, values) };
}

function withHints(text: string, templates: (string | undefined)[], values: SnippetValues): string {
  const used = templates.join('\n');
  const missing = (Object.keys(MISSING_VALUES) as MissingKey[]).filter(
    (key) => missingValue(key, values) && used.includes(`{${key}}`),
  );
  return [text, ...missing.map((key) => MISSING_VALUES[key].hint)].join(' ');
}

function missingValue(key: MissingKey, values: SnippetValues): boolean {
  if (key === 'code_dec') return numberOr(values.codeDec, '') === '';
  return values[key] === null;
}

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
        return numberOr(values.codeDec, MISSING_VALUES.code_dec.shown);
      case 'ext_dec':
        // 0 is a real value here: "no extended information".
        return numberOr(values.extDec, '0');
      default: {
        const value = key === 'host' ? values.host : values.gateway;
        if (value === null) return MISSING_VALUES[key === 'host' ? 'host' : 'gateway'].shown;
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
