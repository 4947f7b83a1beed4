import { describe, expect, it } from 'vitest';
import { noProxyMatches, proxyFor } from '../../src/api/proxy.js';
import { decideRetry } from '../../src/core/retry.js';

const url = (u: string) => new URL(u);

describe('choosing a proxy (issue 13.6)', () => {
  it('HTTPS_PROXY for https targets (HTTP_PROXY when unset), lower-case first; credentials become Basic auth and never the display', () => {
    const choice = proxyFor(url('https://t0ken.ai/api/v1'), { HTTPS_PROXY: 'http://u%40x:p%3Ass@proxy.example:3128' });
    expect(choice?.variable).toBe('HTTPS_PROXY');
    expect(choice?.display).toBe('http://proxy.example:3128');
    expect(Buffer.from(choice!.authorization!.slice(6), 'base64').toString()).toBe('u@x:p:ss');
    expect(proxyFor(url('https://t0ken.ai'), { HTTP_PROXY: 'http://a:1' })?.variable).toBe('HTTP_PROXY');
    expect(proxyFor(url('https://t0ken.ai'), { https_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:1' })?.variable).toBe('https_proxy');
    expect(proxyFor(url('http://example.com'), { HTTPS_PROXY: 'http://a:1' })).toBeUndefined();
    // A password that is not valid percent-encoding is used as typed (it was a URIError: exit 1).
    const odd = proxyFor(url('https://t0ken.ai'), { HTTPS_PROXY: 'http://u:100%zz@p:1' });
    expect(Buffer.from(odd!.authorization!.slice(6), 'base64').toString()).toBe('u:100%zz');
  });

  it('loopback never goes through a proxy', () => {
    for (const target of ['https://127.0.0.1:8080', 'http://127.9.9.9', 'https://[::1]:1', 'http://localhost:3000']) {
      expect(proxyFor(url(target), { HTTPS_PROXY: 'http://p:1', HTTP_PROXY: 'http://p:1' }), target).toBeUndefined();
    }
    // A name under .localhost is not loopback (it resolves as /etc/hosts or DNS says): through the proxy
    expect(proxyFor(url('https://api.localhost'), { HTTPS_PROXY: 'http://p:1' })).toMatchObject({ variable: 'HTTPS_PROXY' });
  });

  it('a malformed variable is exit 2 naming it, whatever the target; its password is not echoed', () => {
    for (const value of ['127.0.0.1:8888', 'not a url', 'proxy.example:3128', 'socks5://p:1', 'http://']) {
      expect(() => proxyFor(url('http://127.0.0.1'), { HTTPS_PROXY: value }), value).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining('HTTPS_PROXY') }));
    }
    expect(() => proxyFor(url('https://t0ken.ai'), { http_proxy: 'ftp://user:hunter2@p:1' })).toThrow(expect.not.objectContaining({ message: expect.stringContaining('hunter2') }));
    // Without a scheme (the password was shown whole), with / or @ in the password, or both.
    for (const value of ['alice:TopSecret9@proxy.corp:3128', 'bob:Hunter2pw@10.0.0.1:8080', 'carol:Pa/ss9word@p.example:1', 'dave:Pa@ss9word@p.example:1', 'socks5://erin:Pa/ss9word@h:1']) {
      let message = '';
      try {
        proxyFor(url('https://t0ken.ai'), { HTTPS_PROXY: value });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message, value).toContain('HTTPS_PROXY is not a valid proxy URL');
      expect(message, value).not.toMatch(/TopSecret9|Hunter2pw|ss9word/);
      expect(message, value).toContain('…@');
    }
  });

  it('NO_PROXY: *, names and their subdomains, leading dots, IPs, IPv4 CIDR, ports', () => {
    const t = url('https://api.t0ken.ai/v1');
    expect(noProxyMatches(t, '*')).toBe(true);
    expect(noProxyMatches(t, 't0ken.ai')).toBe(true);
    expect(noProxyMatches(t, '.t0ken.ai')).toBe(true);
    expect(noProxyMatches(t, '*.t0ken.ai')).toBe(true);
    expect(noProxyMatches(t, 'ken.ai')).toBe(false);
    expect(noProxyMatches(t, 'example.com, t0ken.ai:443')).toBe(true);
    expect(noProxyMatches(t, 't0ken.ai:8443')).toBe(false);
    expect(noProxyMatches(url('https://10.1.2.3'), '10.0.0.0/8')).toBe(true);
    expect(noProxyMatches(url('https://11.1.2.3'), '10.0.0.0/8')).toBe(false);
    expect(noProxyMatches(url('https://10.1.2.3'), '10.1.2.3')).toBe(true);
  });

  it('NO_PROXY with a CIDR block that is not one (an octet over 255, a prefix over 32): exit 2 naming the variable, whatever the host', () => {
    const env = { HTTPS_PROXY: 'http://127.0.0.1:1' };
    for (const [name, value] of [['NO_PROXY', 'localhost,10.0.0.256/24'], ['no_proxy', '10.0.0.0/33'], ['NO_PROXY', 'api.t0ken.ai, 999.1.1.1/8']]) {
      for (const target of ['https://10.0.0.1/api/v1', 'https://api.t0ken.ai/v1']) {
        let caught: unknown;
        try {
          proxyFor(url(target), { ...env, [name!]: value });
        } catch (error) {
          caught = error;
        }
        expect(caught, `${name}=${value} for ${target}`).toMatchObject({ exitCode: 2, message: expect.stringContaining(`${name} holds`) });
      }
    }
    expect(proxyFor(url('https://10.0.0.1/api/v1'), { ...env, NO_PROXY: '10.0.0.0/24' })).toBeUndefined();
  });

  it('TLS and proxy failures are never retried', () => {
    expect(decideRetry({ method: 'GET', kind: 'tls' }).retry).toBe(false);
    expect(decideRetry({ method: 'GET', kind: 'proxy' }).retry).toBe(false);
  });
});
