import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured logger. Tokens must never reach a log line: the redaction paths
 * below are a safety net, not a licence to pass tokens to the logger.
 */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'token',
        '*.token',
        'auth.token',
        'headers.authorization',
        'req.headers.authorization',
        'tokens',
      ],
      censor: '[redacted]',
    },
  });
}
