import type { OpsConfig } from '../config/ops-schema.js';
import { TriageError } from '../errors.js';
import { isLogLevel, type LogLevel } from '../log/logger.js';

export interface OpsSettings {
  logLevel: LogLevel;
  healthPort?: number;
  healthHost: string;
  redisUrl?: string;
  shutdownGraceMs: number;
}

/** The `ops` config section with the per-machine environment variables applied on top. */
export function resolveOpsSettings(ops: OpsConfig, env: NodeJS.ProcessEnv = process.env): OpsSettings {
  const logLevel = env.LOG_LEVEL?.trim() || ops.logLevel;
  if (!isLogLevel(logLevel))
    throw new TriageError(
      'CONFIG_INVALID',
      `LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent`,
    );
  let healthPort = ops.healthPort;
  if (env.HEALTH_PORT?.trim()) {
    healthPort = Number(env.HEALTH_PORT);
    if (!Number.isInteger(healthPort) || healthPort < 0 || healthPort > 65535)
      throw new TriageError('CONFIG_INVALID', 'HEALTH_PORT must be a port number (0–65535)');
  }
  const redisUrl = env.REDIS_URL?.trim() || ops.redisUrl;
  return {
    logLevel,
    ...(healthPort !== undefined && { healthPort }),
    healthHost: env.HEALTH_HOST?.trim() || ops.healthHost,
    ...(redisUrl && { redisUrl }),
    shutdownGraceMs: ops.shutdownGraceMs,
  };
}
