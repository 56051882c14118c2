/**
 * Repairs the few OCR confusions that change a triage: hex codes read with the letter O for the
 * digit 0 ("Ox904", "0x9O4") or l/I for 1 ("0x11Of"), curly quotes Tesseract puts around the
 * computer name, and lines of stray symbols from icons and window borders. Pure.
 */

// A hex code as OCR returns it: "0x", "Ox", "OX" or "0X", then hex digits mixed with O/o/l/I.
const OCR_HEX = /(?<![\w.])[0Oo][xX]([0-9a-fA-FOoIl]{1,8})(?![\w.])/g;
const CURLY = /[\u2018\u2019\u201a\u201b\u2032]/g;
const CURLY_DOUBLE = /[\u201c\u201d\u201e\u201f\u2033]/g;
/**
 * The details part's "Activity ID: {guid}" identifies the attempt for Microsoft support and
 * carries nothing for triage; misread ("4fle" for "4f1e") it stops looking like a GUID and
 * would pass for a host name, so its value is dropped.
 */
const ACTIVITY_ID = /^(activity\s*id\s*[:;.]?).*$/i;
/** A line with no run of two letters or digits is an icon or a border, not text. */
const HAS_WORD = /[\p{L}\p{N}]{2}/u;

export function cleanOcrText(raw: string): string {
  return raw
    .replace(CURLY, "'")
    .replace(CURLY_DOUBLE, '"')
    .replace(
      OCR_HEX,
      (_match, digits: string) => `0x${digits.replace(/[Oo]/g, '0').replace(/[Il]/g, '1').toLowerCase()}`,
    )
    .split(/\r?\n/)
    .map((line) =>
      line
        .replace(/[ \t]+/g, ' ')
        .trim()
        .replace(ACTIVITY_ID, '$1 (not read)'),
    )
    .filter((line) => HAS_WORD.test(line))
    .join('\n');
}

/** Words of two or more letters or digits: how much readable text the image had. */
export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}]{2,}/gu)?.length ?? 0;
}
