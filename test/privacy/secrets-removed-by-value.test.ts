// The secrets the process knows are removed by value from any text on its way out, in the forms an echo
// takes (as written, JSON-escaped, URL-encoded, a URL's Basic auth); values too short to remove safely
// are named, not removed; a log line stays valid JSON and its numbers are never touched.
import { describe, expect, it } from 'vitest';
import { redactJsonLine, redactStrings } from '../../src/privacy/redact.ts';
import { registerAccessToken, registerConfiguredSecrets, removeSecrets } from '../../src/privacy/secret-values.ts';

// The registry is process-wide: this file's worker registers these once.
const tooShort = registerConfiguredSecrets({
  credentials: { clientId: 'client-0d5e', clientSecret: 'se"cr\\et+/value', subscriptionKey: 'k' },
  sftp: { password: 'sftp-pass-77', passphrase: 'phrase-88', privateKey: '-----BEGIN KEY-----\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldY\nWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2\n-----END KEY-----\n' },
  notifyUrl: 'https://hooks.example.com/services/T0001/B0002/slackTOKENxyz123?channel=ops',
  pushgatewayUrl: 'https://metrics:gw%2Fpass-42@push.example.com/base',
});

describe('removeSecrets', () => {
  it('names the secrets too short to remove by value and leaves such text alone', () => {
    expect(tooShort).toEqual(['subscriptionKey']);
    expect(removeSecrets('key k in kubernetes')).toBe('key k in kubernetes');
  });

  it.each([
    ['as written', 'client_secret=se"cr\\et+/value rejected', 'client_secret=[redacted] rejected'],
    ['JSON-escaped', '{"client_secret":"se\\"cr\\\\et+/value"}', '{"client_secret":"[redacted]"}'],
    ['URL-encoded', 'client_secret=se%22cr%5Cet%2B%2Fvalue&x=1', 'client_secret=[redacted]&x=1'],
    ['the client id and SFTP secrets', 'client-0d5e sftp-pass-77 phrase-88', '[redacted] [redacted] [redacted]'],
    ['a private key line', 'key starts QUJDREVGR0hJSktMTU5PUFFSU1RVVldY…', 'key starts [redacted]…'],
    ['the webhook URL', 'POST https://hooks.example.com/services/T0001/B0002/slackTOKENxyz123?channel=ops failed', 'POST [redacted] failed'],
    ['the webhook token alone', 'unknown token slackTOKENxyz123', 'unknown token [redacted]'],
    ['the Pushgateway password', 'auth gw/pass-42 refused', 'auth [redacted] refused'],
    ['the Pushgateway Basic auth', `Authorization: Basic ${Buffer.from('metrics:gw/pass-42').toString('base64')}`, 'Authorization: Basic [redacted]'],
  ])('removes a secret %s', (_, text, expected) => {
    expect(removeSecrets(text)).toBe(expected);
  });

  it('removes access tokens once received', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.payload.signature';
    expect(removeSecrets(`Bearer ${token}`)).toBe(`Bearer ${token}`);
    registerAccessToken(token);
    expect(removeSecrets(`Bearer ${token}`)).toBe('Bearer [redacted]');
  });

  it('leaves the non-secret parts of the URLs alone', () => {
    expect(removeSecrets('hooks.example.com answered 404 for /services; push.example.com/base is up')).toBe('hooks.example.com answered 404 for /services; push.example.com/base is up');
  });
});

describe('redactJsonLine', () => {
  it('redacts every string of a log line, keeps it valid JSON, and leaves numbers alone', () => {
    const line = `${JSON.stringify({ level: 50, time: 1732500000000, rows: 98765433, msg: 'refused: sftp-pass-77', err: { message: 'phone 98765433\nclient se"cr\\et+/value' } })}\n`;
    const redacted = redactJsonLine(line);
    expect(redacted.endsWith('}\n')).toBe(true);
    expect(JSON.parse(redacted)).toEqual({ level: 50, time: 1732500000000, rows: 98765433, msg: 'refused: [redacted]', err: { message: 'phone ******33\nclient [redacted]' } });
  });
});

describe('redactStrings', () => {
  it('redacts the strings of a report-like value and nothing else', () => {
    const value = { contactId: '+4798765436', counts: { read: 98765433 }, list: ['sftp-pass-77', 7, true, null] };
    expect(redactStrings(value)).toEqual({ contactId: '+47******36', counts: { read: 98765433 }, list: ['[redacted]', 7, true, null] });
  });
});
