import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from '../log/logger.js';
import type { InFlight } from './in-flight.js';

/** One thing to stop or release at shutdown (Slack socket, HTTP server, SSH pool, store, Redis). */
export interface ShutdownStep {
  name: string;
  run(signal: AbortSignal): Promise<void> | void;
}

export interface ShutdownOptions {
  logger: Logger;
  inFlight: InFlight;
  /** How long running triages may take to finish after SIGTERM (config ops.shutdownGraceMs). */
  graceMs: number;
  /** Run first: stop receiving events (receiver, socket, queue consumer). */
  stopIntake?: ShutdownStep[];
  /** Run after the drain, one after the other: close SSH pools, flush the store, close Redis. */
  release?: ShutdownStep[];
  /** Deadline of each step. */
  stepTimeoutMs?: number;
}

export interface Shutdown {
  /** Runs the whole sequence once (later calls return the same promise); resolves to an exit code. */
  run(reason: string): Promise<number>;
  /** SIGTERM / SIGINT start `run` and exit with its code; a second signal exits at once. */
  installSignalHandlers(options?: { exit?: (code: number) => void; signals?: NodeJS.Signals[] }): () => void;
}

/**
 * Graceful shutdown, in the order that loses nothing: stop intake (readiness already fails because
 * `inFlight.accepting` is false), let running triages finish until the grace deadline, tell the
 * rest "interrupted, run again" through their own Surface, then release pools and stores.
 * systemd's TimeoutStopSec and Kubernetes' terminationGracePeriodSeconds must exceed `graceMs`
 * plus the release steps (deploy/rdp-triage.service sets 60 s for the 30 s default).
 */
export function createShutdown({
  logger,
  inFlight,
  graceMs,
  stopIntake = [],
  release = [],
  stepTimeoutMs = 5000,
}: ShutdownOptions): Shutdown {
  let running: Promise<number> | null = null;

  const runSteps = async (steps: ShutdownStep[]): Promise<boolean> => {
    const results = await Promise.all(steps.map((step) => runStep(step, stepTimeoutMs, logger)));
    return results.every(Boolean);
  };

  const sequence = async (reason: string): Promise<number> => {
    const started = Date.now();
    logger.info({ reason, inFlight: inFlight.size, graceMs }, 'shutting down: no new triages');
    const drain = inFlight.drain({ deadlineMs: graceMs });
    const intakeOk = await runSteps(stopIntake);
    const { finished, interrupted } = await drain;
    logger.info({ finished, interrupted }, 'running triages finished or told to run again');
    // In order: pools and store first, shared connections (Redis) last.
    let releaseOk = true;
    for (const step of release) releaseOk = (await runStep(step, stepTimeoutMs, logger)) && releaseOk;
    const code = intakeOk && releaseOk ? 0 : 1;
    logger.info({ ms: Date.now() - started, exitCode: code }, 'shutdown complete');
    return code;
  };

  const shutdown: Shutdown = {
    run(reason) {
      running ??= sequence(reason);
      return running;
    },
    installSignalHandlers({
      exit = (code: number) => process.exit(code),
      signals = ['SIGTERM', 'SIGINT'],
    } = {}) {
      const onSignal = (signal: NodeJS.Signals) => {
        if (running) {
          logger.warn({ signal }, 'second signal: exiting now');
          exit(1);
          return;
        }
        void shutdown.run(signal).then(exit);
      };
      for (const signal of signals) process.on(signal, onSignal);
      return () => {
        for (const signal of signals) process.off(signal, onSignal);
      };
    },
  };
  return shutdown;
}

async function runStep(step: ShutdownStep, timeoutMs: number, logger: Logger): Promise<boolean> {
  const controller = new AbortController();
  try {
    const outcome = await Promise.race([
      Promise.resolve()
        .then(() => step.run(controller.signal))
        .then(() => 'ok' as const),
      delay(timeoutMs, 'timeout' as const, { signal: controller.signal }),
    ]);
    if (outcome === 'timeout') {
      logger.warn({ step: step.name, timeoutMs }, 'shutdown step timed out');
      return false;
    }
    return true;
  } catch (error) {
    logger.error({ step: step.name, err: error }, 'shutdown step failed');
    return false;
  } finally {
    controller.abort();
  }
}
