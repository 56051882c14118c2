import type { Duplex } from 'node:stream';

/** When a probe's answer is whole, and what to do with a peer that never completes one. */
export interface AnswerShape {
  /**
   * How many bytes of what has arrived make the answer, or null while more are needed. This is
   * also where a cap goes: return what arrived once it is longer than any honest answer.
   */
  complete(received: Buffer): number | null;
  /**
   * When the peer closes (or errors) mid-answer: resolve with what arrived (true), to be judged
   * as a short answer, or reject (false). Nothing at all always rejects.
   */
  keepPartial: boolean;
}

/**
 * Writes `request` and collects the answer until `shape` says it is complete: the one
 * request/answer loop of the probes (X.224 negotiation, the RD Gateway's HTTP head, the CredSSP
 * TSRequest). Rejects on abort, on a close with no answer, and on an error.
 */
export function sendAndRead(
  stream: Duplex,
  request: Buffer | string,
  signal: AbortSignal,
  shape: AnswerShape,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onClose);
      stream.off('close', onClose);
      stream.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const length = shape.complete(received);
      if (length === null) return;
      cleanup();
      resolve(received.subarray(0, length));
    };
    const closed = (why: Error) => {
      cleanup();
      if (shape.keepPartial && received.length > 0) resolve(received);
      else reject(why);
    };
    const onClose = () =>
      closed(
        new Error(
          received.length > 0 && !shape.keepPartial
            ? 'connection closed mid-answer'
            : 'connection closed with no answer',
        ),
      );
    const onError = (error: Error) => closed(error);
    const onAbort = () => {
      cleanup();
      reject(new Error('aborted'));
    };
    if (signal.aborted) return onAbort();
    stream.on('data', onData);
    stream.on('end', onClose);
    stream.on('close', onClose);
    stream.on('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
    stream.write(request);
  });
}
