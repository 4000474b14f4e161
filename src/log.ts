// Structured logs (pino) on stderr: stdout is kept for what the command prints (the summary line, the
// report paths, a dry run's plan). Secrets are removed and
// phone numbers masked twice over, whatever a log call is handed: by key (pino's redaction, below), and
// by value in the finished line (every string in it, through src/privacy/), which also catches what an
// API echoed into an error message or a stack trace.
import pino, { type Logger } from 'pino';
import { maskPhoneNumber } from './privacy/phone-numbers.ts';
import { redactJsonLine } from './privacy/redact.ts';

export type { Logger };

const SECRET_KEYS = [
  'clientSecret',
  'client_secret',
  'clientId',
  'client_id',
  'subscriptionKey',
  'accessToken',
  'access_token',
  'token',
  'authorization',
  'Authorization',
  'ocp-apim-subscription-key',
  'Ocp-Apim-Subscription-Key',
  'password',
  'passphrase',
  'privateKey',
  'credentials',
  'notifyUrl',
  'pushgatewayUrl',
];
const PHONE_KEYS = ['phoneNumber', 'phone_number'];

// pino's redaction takes explicit paths: cover the key at the top level and up to three levels deep.
const deep = (keys: string[]) => keys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]).map((path) => path.replace(/\.([^.*]*-[^.]*)$/, '["$1"]'));

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      redact: {
        paths: [...deep(SECRET_KEYS), ...deep(PHONE_KEYS)],
        censor: (value, path) => (PHONE_KEYS.includes(String(path.at(-1))) && typeof value === 'string' ? maskPhoneNumber(value) : '[redacted]'),
      },
      // pino's hook for the serialized line, whatever the destination (also a child logger's).
      hooks: { streamWrite: redactJsonLine },
    },
    // Synchronous: a line logged just before a crash is on disk, and log order matches run order.
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}
