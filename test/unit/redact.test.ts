import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/config.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { redactConfig, redactUrl, redactUrlList, scrubSecrets, SECRET_ENV_NAMES, secretValuesFromEnv } from '../../src/config/redact.ts';

describe('redactUrl', () => {
  it.each([
    ['http://user:pass@10.0.0.2:18789/healthz', 'http://***:***@10.0.0.2:18789/healthz'],
    ['https://ghp_tokenonly@github.com/you/x.git', 'https://***@github.com/you/x.git'],
    ['http://:pw@host/', 'http://:***@host/'],
    ['http://host/healthz?token=abc&x=1', 'http://host/healthz?token=***&x=1'],
    ['http://host/p?API_KEY=abc&apiKey=d&X-Amz-Signature=e&sig=f&passwd=g&Authorization=h', 'http://host/p?API_KEY=***&apiKey=***&X-Amz-Signature=***&sig=***&passwd=***&Authorization=***'],
    ['http://host/p?access_token=abc&q=hello%20world', 'http://host/p?access_token=***&q=hello%20world'],
    ['http://host/cb#access_token=abc&state=1', 'http://host/cb#access_token=***&state=1'],
    ['http://u:p@host/p?secret=s', 'http://***:***@host/p?secret=***'],
  ])('%s → %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it.each([
    'http://100.101.102.103:18789/healthz',
    'http://host:18789',
    'http://host/p?q=1&page=2',
    'git@github.com:you/workspace.git',
    'backup-host:/srv/git/x.git',
    '/srv/git/x.git',
    '',
    'not a url at all',
  ])('leaves %j exactly as it is', (input) => {
    expect(redactUrl(input)).toBe(input);
  });

  it('masks user:pass@ in text that is not a URL, without throwing', () => {
    expect(redactUrl('admin:s3cret@10.0.0.2 /healthz')).toBe('***:***@10.0.0.2 /healthz');
    expect(redactUrl('garbage ?token=abc&x=1')).toBe('garbage ?token=***&x=1');
    expect(() => redactUrl('http://[::1')).not.toThrow();
    expect(() => redactUrl('%%%:%%%@')).not.toThrow();
  });

  it('masks credentials in URLs WHATWG accepts without slashes', () => {
    expect(redactUrl('http:user:pw@host/x')).not.toContain('pw');
  });
});

describe('redactConfig', () => {
  it('redacts every URL-ish field and leaves the rest', () => {
    const result = loadConfig({
      PRIMARY_URL: 'http://w:pw1@10.0.0.2:18789/healthz',
      GATEWAY_READY_URL: 'http://gw:18789/readyz?token=t0k',
      WORKSPACE_REMOTE: 'https://bot:ghp_x@github.com/you/x.git',
    });
    if (!result.ok) throw new Error('config should load');
    const config: Config = result.config;
    const redacted = redactConfig(config);
    expect(redacted).toEqual({
      ...config,
      primaryUrl: 'http://***:***@10.0.0.2:18789/healthz',
      gatewayReadyUrl: 'http://gw:18789/readyz?token=***',
      workspaceRemote: 'https://***:***@github.com/you/x.git',
    });
    expect(config.primaryUrl).toBe('http://w:pw1@10.0.0.2:18789/healthz');
    const record: Record<string, unknown> = redacted;
    expect(JSON.stringify(record)).not.toMatch(/pw1|t0k|ghp_x/);
  });

  it('keeps an unset remote unset', () => {
    const result = loadConfig({ PRIMARY_URL: 'http://10.0.0.2/healthz' });
    if (!result.ok) throw new Error('config should load');
    expect(redactConfig(result.config).workspaceRemote).toBeUndefined();
  });
});

describe('scrubSecrets', () => {
  it('masks every occurrence of every secret', () => {
    expect(scrubSecrets('tok-1234 and tok-1234, pw-5678', ['tok-1234', 'pw-5678'])).toBe('*** and ***, ***');
  });

  it('ignores empty and short secrets, which would mask ordinary text', () => {
    expect(scrubSecrets('a abc info', ['', 'a', 'abc'])).toBe('a abc info');
  });

  it('masks the longer of two overlapping secrets whole', () => {
    expect(scrubSecrets('x secret-long y', ['secret', 'secret-long'])).toBe('x *** y');
  });

  it('masks the JSON-escaped form of secrets with quotes or backslashes', () => {
    const secret = 'pa"ss\\word';
    expect(scrubSecrets(JSON.stringify({ msg: `bad ${secret}` }), [secret])).toBe('{"msg":"bad ***"}');
  });

  it('treats secrets literally, not as patterns', () => {
    expect(scrubSecrets('a.b*c $& a.b*c', ['a.b*c'])).toBe('*** $& ***');
  });
});

describe('secrets from the environment', () => {
  it('names the gateway and git secrets', () => {
    expect(SECRET_ENV_NAMES).toEqual(expect.arrayContaining(['OPENCLAW_GATEWAY_TOKEN', 'OPENCLAW_GATEWAY_PASSWORD', 'GIT_PASSWORD']));
  });

  it('collects secret values and URL credentials, skipping blanks and short values', () => {
    const secrets = secretValuesFromEnv({
      OPENCLAW_GATEWAY_TOKEN: ' gw-token-1 ',
      GIT_PASSWORD: '',
      GH_TOKEN: 'ab',
      PRIMARY_URL: 'http://watcher:p%40ssword@10.0.0.2/healthz',
      GATEWAY_READY_URL: 'https://ghp_tokenonly@gw/readyz',
      WORKSPACE_REMOTE: 'git@github.com:you/x.git',
      HOME: '/root',
    });
    expect(secrets.sort()).toEqual(['ghp_tokenonly', 'gw-token-1', 'p%40ssword', 'p@ssword'].sort());
  });

  it('collects the credentials of every WITNESS_URLS entry, and redacts the list entry by entry', () => {
    const list = 'http://probe:witness-pw-1@w1/, https://tskey-abcdef@w2:8443/x ,not a url';
    expect(secretValuesFromEnv({ WITNESS_URLS: list }).sort()).toEqual(['tskey-abcdef', 'witness-pw-1']);
    const shown = redactUrlList(list);
    expect(shown).not.toContain('witness-pw-1');
    expect(shown).not.toContain('tskey-abcdef');
    expect(shown.split(',')).toHaveLength(3);
  });
});
