import type { CodeRole } from '../report/understanding.js';

/** One known code as the extractor needs it: value, role, and its symbolic name. */
export interface CodeBookEntry {
  /** Normalised lower-case hex without leading zeros: `0x904`. */
  value: string;
  /** `unknown` for codes of no RDP role (FreeRDP's own ERRCONNECT_* values). */
  role: CodeRole;
  name?: string;
}

/**
 * What `understand()` needs from the knowledge base, injected so intents never imports fixes
 * (imports point downstream only). The knowledge base implements it from its code catalogue.
 */
export interface CodeBook {
  /** Every role under which this value is a known code (0x7 is both an extended reason and an errorInfo). */
  lookup(value: string): CodeBookEntry[];
  /** A symbolic name (`ERRINFO_SERVER_DENIED_CONNECTION`, `exDiscReasonServerDeniedConnection`, `E_PROXY_…`), case-insensitive. */
  byName(name: string): CodeBookEntry | undefined;
}

export const EMPTY_CODE_BOOK: CodeBook = { lookup: () => [], byName: () => undefined };
