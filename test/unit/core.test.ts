import { describe, expect, it } from 'vitest';
import { exitCodeForStatus, parseErrorBody, sanitizeCode, sanitizeMessage } from '../../src/core/error-body.js';
import { formatCount, formatLocalTime } from '../../src/core/format.js';
import { maskSecret } from '../../src/core/mask.js';
import { redactBody, redactHeaders, redactText } from '../../src/core/redact.js';
import { backoffMs, decideRetry, parseRetryAfter } from '../../src/core/retry.js';
import { isLoopbackHost, normalizeBaseUrl } from '../../src/core/url.js';
import { parsePort, parseTimeoutSeconds, validateEmail, validateVerificationCode } from '../../src/core/validate.js';

describe('error bodies become one typed error', () => {
  it.each([
    ['{"success": false, "error": {"code": "invalid_code", "message": "wrong code"}}', 'invalid_code', 'wrong code'],
    ['{"error": "missing or invalid credential"}', undefined, 'missing or invalid credential'],
    ['{"error": {"code": "conflict", "message": "agent already exists", "details": {"agent_hash": "ab"}}}', 'conflict', 'agent already exists'],
    ['{"detail": "Not authenticated"}', undefined, 'Not authenticated'],
    ['{"detail": [{"loc": ["body", "platform"], "msg": "bad platform"}, {"loc": ["query", "x"], "msg": "required"}]}', 'validation_error', 'platform: bad platform; query.x: required'],
  ])('%s', (body, code, message) => {
    const parsed = parseErrorBody(body);
    expect(parsed.code).toBe(code);
    expect(parsed.message).toBe(message);
  });

  it.each(['<html><body><h1>502 Bad Gateway</h1></body></html>', '', '{"error": ', '[1,2]', '42', 'null', '{"unrelated": true}'])('falls back to nothing for %j', (body) => {
    const parsed = parseErrorBody(body);
    expect(parsed.code).toBeUndefined();
    expect(parsed.message).toBeUndefined();
  });

  it('maps statuses to the contract exit codes', () => {
    const table: Array<[number, number]> = [[400, 4], [401, 3], [403, 3], [404, 4], [409, 6], [410, 4], [422, 4], [429, 5], [500, 5], [502, 5], [503, 5]];
    for (const [status, exit] of table) expect(exitCodeForStatus(status), String(status)).toBe(exit);
  });

  it('keeps only snake_case codes and one clean line of message', () => {
    expect(sanitizeCode('invalid_code', 400)).toBe('invalid_code');
    expect(sanitizeCode('Bad Code!', 404)).toBe('not_found');
    // One of t0ken's own codes keeps its meaning: kept where the status agrees, else the status's code
    expect(sanitizeCode('not_registered', 429)).toBe('rate_limited');
    expect(sanitizeCode('internal', 400)).toBe('bad_request');
    expect(sanitizeCode('network', 401)).toBe('unauthorized');
    expect(sanitizeCode('conflict', 409)).toBe('conflict');
    expect(sanitizeCode('agent_org_not_member', 403)).toBe('agent_org_not_member');
    expect(sanitizeCode('constructor', 400)).toBe('constructor'); // not ours: the service's own
    expect(sanitizeCode(undefined, 503)).toBe('service_unavailable');
    expect(sanitizeMessage('line one\nline\u001b[31m two\u0007')).toBe('line one line [31m two');
    expect(sanitizeMessage('x'.repeat(1000)).length).toBeLessThanOrEqual(301);
  });
});

describe('retry decisions', () => {
  it('retries GET on network errors, timeouts and 408/429/5xx, not on other 4xx', () => {
    for (const kind of ['network', 'timeout', 'refused'] as const) expect(decideRetry({ method: 'GET', kind }).retry).toBe(true);
    for (const status of [408, 429, 500, 502, 503, 504]) expect(decideRetry({ method: 'GET', kind: 'http', status }).retry, String(status)).toBe(true);
    for (const status of [400, 401, 403, 404, 409, 410, 422]) expect(decideRetry({ method: 'GET', kind: 'http', status }).retry, String(status)).toBe(false);
  });

  it('retries POST only when it never reached the server, or on 429/503 with Retry-After', () => {
    expect(decideRetry({ method: 'POST', kind: 'refused' }).retry).toBe(true);
    expect(decideRetry({ method: 'POST', kind: 'network' }).retry).toBe(false);
    expect(decideRetry({ method: 'POST', kind: 'timeout' }).retry).toBe(false);
    expect(decideRetry({ method: 'POST', kind: 'http', status: 500 }).retry).toBe(false);
    expect(decideRetry({ method: 'POST', kind: 'http', status: 503 }).retry).toBe(false);
    expect(decideRetry({ method: 'POST', kind: 'http', status: 429, retryAfterMs: 1000 })).toEqual({ retry: true, delayMs: 1000 });
    expect(decideRetry({ method: 'POST', kind: 'http', status: 503, retryAfterMs: 0 })).toEqual({ retry: true, delayMs: 0 });
  });

  it('refuses to wait for a Retry-After over 30 s', () => {
    expect(decideRetry({ method: 'GET', kind: 'http', status: 429, retryAfterMs: 31_000 })).toEqual({ retry: false, tooLongMs: 31_000 });
    expect(decideRetry({ method: 'GET', kind: 'http', status: 429, retryAfterMs: 30_000 }).retry).toBe(true);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    for (const invalid of ['-5', '-0.5', '2', ' 12 ', '1e3', '']) if (!/^\s*\d+\s*$/.test(invalid)) expect(parseRetryAfter(invalid, now), invalid).toBeUndefined();
    expect(parseRetryAfter(' 12 ', now)).toBe(12_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0); // a date past: now
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(1, () => 0)).toBe(250);
    expect(backoffMs(1, () => 1)).toBe(500);
    expect(backoffMs(2, () => 1)).toBe(1000);
    expect(backoffMs(10, () => 1)).toBe(4000);
  });
});

describe('masking and redaction', () => {
  it('masks keys as prefix…last4', () => {
    expect(maskSecret('omx_agent_AbCdEfGhIjKlMnOpx9Qa')).toBe('omx_agent_…x9Qa');
    expect(maskSecret('mnm_0123456789abcdefWXYZ')).toBe('mnm_…WXYZ');
    expect(maskSecret('omx_agent_short')).toBe('omx_agent_…');
    expect(maskSecret('noprefixsecretvalue1234')).toBe('…1234');
    expect(maskSecret('tiny')).toBe('…');
  });

  it('masks by known prefix only: an underscore inside the secret is not a prefix (issue 13.8)', () => {
    // Before: everything up to the last `_` was kept, 22 of these 24 secret characters.
    expect(maskSecret('mnm_Xq3v9sKp2LmN8rT4wY7zQ1_ab')).toBe('mnm_…1_ab');
    expect(maskSecret('omx_user_Xq3v9sKp2LmN8rT4')).toBe('omx_…8rT4');
    expect(maskSecret('mx_m_Xq3v9sKp2LmN8rT4')).toBe('mx_m_…8rT4');
    expect(maskSecret('sk-ant-api03-Xq3v9sKp2LmN8rT4wY7zQ1')).toBe('sk-ant-…7zQ1');
    expect(maskSecret('sk-proj-Xq3v9sKp2LmN')).toBe('sk-…2LmN');
    expect(maskSecret('abc_defghijklmnop_qrstuvwxyz')).toBe('…wxyz');
    expect(maskSecret('omx_agent_x_y_z_w_v_u_t_s_r')).toBe('omx_agent_…_s_r');
  });

  it('a secret part under 12 characters shows no tail', () => {
    expect(maskSecret('mnm_0123456789a')).toBe('mnm_…');      // 11
    expect(maskSecret('mnm_0123456789ab')).toBe('mnm_…89ab'); // 12
    expect(maskSecret('abcdefghijk')).toBe('…');
  });

  it('redacts secret headers, secret JSON fields at any depth and key-shaped text', () => {
    const headers = redactHeaders([['X-API-Key', 'omx_agent_1'], ['authorization', 'Bearer abc'], ['x-mnemom-api-key', 'mnm_x'], ['accept', 'application/json']]);
    expect(headers).toEqual([['X-API-Key', '[redacted]'], ['authorization', '[redacted]'], ['x-mnemom-api-key', '[redacted]'], ['accept', 'application/json']]);
    const body = redactBody('{"data": {"api_key": "whatever-value", "nested": [{"token": "t"}], "user_id": "u1"}}');
    expect(body).not.toContain('whatever-value');
    expect(body).toContain('u1');
    expect(redactText('key omx_agent_ABC123 and mnm_DEF456 and Bearer eyJ.a.b')).toBe('key [redacted] and [redacted] and [redacted]');
    expect(redactText('my provider key sk-1234567 here', ['sk-1234567'])).toBe('my provider key [redacted] here');
    // Not JSON (a cut or malformed body): a secret-named field's value still goes, to its end or the text's.
    expect(redactBody('{"data": {"api_key": "Zq8rT2v\\"Lx9", "user_id": "u1"')).toBe('{"data": {"api_key": "[redacted]", "user_id": "u1"');
    expect(redactBody('{"x": 1, "provider_key":"Zq8rT2vLx9Wm')).toBe('{"x": 1, "provider_key":"[redacted]"');
    // A quote, then 360 KB without one (a hostile answer under --debug): linear, not minutes
    const started = Date.now();
    expect(redactBody(`"${'token'.repeat(72_000)}`)).toHaveLength(1 + 5 * 72_000);
    expect(Date.now() - started).toBeLessThan(2000);
    // A long field name still has its value redacted (a bound on the name's length missed it)
    expect(redactBody(`{"${'x'.repeat(70)}_token": "S3CRETVALUE", "b":`)).toBe(`{"${'x'.repeat(70)}_token": "[redacted]", "b":`);
  });
});

describe('base URLs', () => {
  it('normalises case, trailing slashes, query and fragment', () => {
    expect(normalizeBaseUrl('HTTPS://T0KEN.AI/api/v1/', 'X')).toBe('https://t0ken.ai/api/v1');
    expect(normalizeBaseUrl('https://t0ken.ai/api/v1?x=1#y', 'X')).toBe('https://t0ken.ai/api/v1');
    expect(normalizeBaseUrl('http://127.0.0.1:8080/api/v1', 'X')).toBe('http://127.0.0.1:8080/api/v1');
  });

  it('refuses http:// to remote hosts, credentials and other schemes with exit 2', () => {
    for (const bad of ['http://t0ken.ai/api/v1', 'http://10.0.0.1/v1', 'http://127.0.0.1.evil.com/', 'ftp://t0ken.ai', 'https://user:pw@t0ken.ai', 'not a url']) {
      expect(() => normalizeBaseUrl(bad, 'T0KEN_API_URL'), bad).toThrow(expect.objectContaining({ exitCode: 2 }));
    }
  });

  it('knows loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.255.0.9', 'localhost', 'LocalHost', '::1', '[::1]']) expect(isLoopbackHost(host), host).toBe(true);
    // api.localhost: a name under .localhost resolves as /etc/hosts or DNS says, maybe to a LAN address
    for (const host of ['128.0.0.1', '127.0.0.1.evil.com', 'localhost.evil.com', '0.0.0.0', '127.0.0.256', 'api.localhost', 'evil.localhost']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('decides every host as the contract\'s rule written as regular expressions does (127.0.0.0/8, ::1, localhost)', () => {
    const byPattern = (hostname: string): boolean => {
      const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
      if (host === 'localhost') return true;
      if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
      const v4 = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
      return v4 !== null && v4.slice(1).every((part) => Number(part) <= 255);
    };
    const pieces = ['127', '0', '1', '255', '256', '0001', '', '1e2', ' 1', '+1', '١', 'x', '[', ']', '.', '::1', 'localhost', 'LOCALHOST', '0:0:0:0:0:0:0:1'];
    let random = 7;
    const pick = () => pieces[(random = (random * 1103515245 + 12345) % 2 ** 31) % pieces.length]!;
    const hosts = new Set(['[127.0.0.1]', '127.0.0.1]', '[127.0.0.1', '[[::1]]', '127.0.0.', '127..0.1', 'Api.LocalHost']);
    for (let i = 0; i < 20_000; i++) hosts.add(Array.from({ length: 1 + (i % 9) }, pick).join(i % 3 === 0 ? '' : '.'));
    for (let i = 0; i < 300; i++) hosts.add(`127.${i}.${i % 7}.1`); // enough of them loopback (and some not: i over 255)
    for (const host of hosts) expect(isLoopbackHost(host), host).toBe(byPattern(host));
    expect([...hosts].filter(byPattern).length).toBeGreaterThan(100);
  });
});

describe('input validation', () => {
  it('emails, codes, timeouts and ports', () => {
    expect(validateEmail(' a@b.co ')).toBe('a@b.co');
    for (const bad of ['a', 'a@b', '@b.co', 'a b@c.d', 'a@b\u0007.co', `${'x'.repeat(250)}@b.co`]) expect(() => validateEmail(bad), bad).toThrow();
    expect(validateVerificationCode('012345')).toBe('012345');
    for (const bad of ['12345', '1234567', '12a456', '１２３４５６']) expect(() => validateVerificationCode(bad), bad).toThrow();
    expect(parseTimeoutSeconds('1.5')).toBe(1500);
    for (const bad of ['0', '-1', 'abc', '601', '']) expect(() => parseTimeoutSeconds(bad), bad).toThrow();
    expect(parsePort('0')).toBe(0);
    for (const bad of ['65536', '-1', '8080x']) expect(() => parsePort(bad), bad).toThrow();
  });
});

describe('formatting without Intl', () => {
  it('groups thousands and prints local time with its offset', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(-1234.5)).toBe('-1,234.5');
    expect(formatLocalTime('2026-11-22T10:00:00Z')).toMatch(/^2026-11-2\d \d\d:\d\d \(UTC[+-]\d\d:\d\d\)$/);
    expect(formatLocalTime('garbage')).toBe('garbage');
  });
});
