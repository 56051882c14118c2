/** Messages between the chat process and the OCR thread (structured-clone data only). */

export type ThreadRequest =
  | { type: 'warm'; id: number }
  | { type: 'read'; id: number; bytes: Uint8Array; kind: 'png' | 'jpeg'; maxPixels: number };

export type ThreadReply =
  | { type: 'ready'; id: number }
  | {
      type: 'text';
      id: number;
      text: string;
      /** Tesseract's mean word confidence, 0..100. */
      confidence: number;
      ms: number;
      inverted: boolean;
      /** 2 when the image was read again enlarged (small text). */
      scale: number;
      /** Median text-line height in source pixels. */
      lineHeight: number;
    }
  /** The header looked right but the pixels could not be decoded (truncated or corrupt file). */
  | { type: 'undecodable'; id: number; message: string }
  | { type: 'failed'; id: number; message: string };
