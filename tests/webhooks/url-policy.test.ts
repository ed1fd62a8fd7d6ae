import { afterEach, describe, expect, it, vi } from 'vitest';
import { getConfig } from '../../src/config.js';
import { AppError } from '../../src/errors.js';
import {
  checkWebhookUrl,
  isBlockedAddress,
  resolveWebhookTarget,
  useResolver,
  webhookGuardOn,
} from '../../src/webhooks/url-policy.js';

// Nothing in this file opens a connection: hostnames resolve through a stub, and the policy only resolves.
const table: Record<string, string[]> = {
  'ten.example.test': ['10.0.0.8'],
  'metadata.example.test': ['169.254.169.254'],
  'home.example.test': ['192.168.1.20'],
  'docker.example.test': ['172.17.0.2'],
  'cgnat.example.test': ['100.64.12.1'],
  'zero.example.test': ['0.0.0.0'],
  'multicast.example.test': ['239.1.1.1'],
  'ula.example.test': ['fc00::5'],
  'ula-aws.example.test': ['fd00:ec2::254'],
  'linklocal.example.test': ['fe80::1'],
  'mapped.example.test': ['::ffff:10.0.0.1'],
  'loop6.example.test': ['::1'],
  'localhost.example.test': ['127.0.0.1', '::1'],
  'mixed.example.test': ['93.184.216.34', '10.0.0.8'],
  'mixed6.example.test': ['2606:4700:4700::1111', 'fe80::1'],
  'public.example.test': ['93.184.216.34', '2606:4700:4700::1111'],
  'public6.example.test': ['2606:4700:4700::1111'],
};
const lookups: string[] = [];
const stub = async (hostname: string) => {
  lookups.push(hostname);
  return (table[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

afterEach(() => {
  vi.unstubAllEnvs();
  useResolver(undefined);
  lookups.length = 0;
});

async function refusal(raw: string): Promise<AppError> {
  const error = await checkWebhookUrl(raw, { guard: true }).then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error, raw).toBeInstanceOf(AppError);
  expect((error as AppError).status, raw).toBe(422);
  expect((error as AppError).code, raw).toBe('invalid_webhook_url');
  return error as AppError;
}

describe('webhook address policy', () => {
  it('blocks every special-purpose range, IPv4 and IPv6, and lets public unicast through', () => {
    const blocked = [
      ...[
        '0.0.0.0',
        '0.1.2.3',
        '10.0.0.1',
        '10.255.255.255',
        '100.64.0.1',
        '100.127.255.254',
        '127.0.0.1',
        '127.255.0.9',
      ],
      ...[
        '169.254.169.254',
        '172.16.0.1',
        '172.31.255.255',
        '192.0.0.8',
        '192.0.2.1',
        '192.168.0.1',
        '198.18.0.1',
        '198.51.100.7',
      ],
      ...['203.0.113.9', '224.0.0.251', '239.255.255.250', '240.0.0.1', '255.255.255.255'],
      ...[
        '::',
        '::1',
        '::ffff:127.0.0.1',
        '::ffff:7f00:1',
        '::ffff:a00:1',
        '::ffff:8.8.8.8',
        '::7f00:1',
        '64:ff9b::7f00:1',
        '100::1',
      ],
      ...[
        'fc00::1',
        'fd00:ec2::254',
        'fe80::1',
        'fe80::1%eth0',
        'fec0::1',
        'ff02::1',
        '2001:db8::1',
        '2001::1',
        '2002:7f00:1::',
        '3fff::1',
      ],
      ...['not-an-address', ''],
    ];
    const open = [
      '93.184.216.34',
      '8.8.8.8',
      '1.1.1.1',
      '172.32.0.1',
      '100.128.0.1',
      '2606:4700:4700::1111',
      '2001:4860:4860::8888',
    ];
    for (const address of blocked) expect(isBlockedAddress(address), address).toBe(true);
    for (const address of open) expect(isBlockedAddress(address), address).toBe(false);
  });

  it('refuses IP-literal hosts in every spelling the URL parser accepts, without resolving anything', async () => {
    useResolver(stub);
    const literals = [
      'https://127.0.0.1/',
      'https://2130706433/',
      'https://0x7f000001/',
      'https://0x7f.1/',
      'https://0177.0.0.1/',
      'https://127.1/',
      'https://[::1]/',
      'https://[::]/',
      'https://[::ffff:127.0.0.1]/',
      'https://[::ffff:7f00:1]/',
      'https://[0:0:0:0:0:ffff:7f00:1]/',
      'https://169.254.169.254/latest/meta-data',
      'https://[fe80::1]/',
      'https://[fc00::1]/',
      'https://[fd12:3456::1]/',
      'https://10.0.0.1/',
      'https://167772161/',
      'https://172.16.5.4/',
      'https://192.168.0.1/',
      'https://100.64.0.1/',
      'https://0.0.0.0/',
      'https://0/',
      'https://224.0.0.1/',
      'https://[ff02::1]/',
      'https://[64:ff9b::a9fe:a9fe]/',
    ];
    for (const raw of literals) await refusal(raw);
    expect(lookups).toEqual([]);
  });

  it('refuses hostnames when any address they resolve to is not public', async () => {
    useResolver(stub);
    const names = Object.keys(table).filter((name) => !name.startsWith('public'));
    for (const name of names) {
      const error = await refusal(`https://${name}/hook`);
      expect(error.details).toEqual({ host: name });
    }
    expect(lookups).toEqual(names);
    const unknown = await refusal('https://nowhere.example.test/');
    expect(unknown.message).toMatch(/does not resolve/);
  });

  it('with the guard on: https only, no credentials; public hosts pass and the first address is the one to connect to', async () => {
    useResolver(stub);
    await refusal('http://public.example.test/hook');
    await refusal('https://user:secret@public.example.test/hook');
    await expect(checkWebhookUrl('https://public.example.test/hook', { guard: true })).resolves.toBeInstanceOf(URL);
    await expect(resolveWebhookTarget(new URL('https://public.example.test/'), { guard: true })).resolves.toEqual({
      address: '93.184.216.34',
      family: 4,
    });
    await expect(resolveWebhookTarget(new URL('https://public6.example.test/'), { guard: true })).resolves.toEqual({
      address: '2606:4700:4700::1111',
      family: 6,
    });
    await expect(resolveWebhookTarget(new URL('https://[2606:4700:4700::1111]/'), { guard: true })).resolves.toEqual({
      address: '2606:4700:4700::1111',
      family: 6,
    });
  });

  it('with the guard off, any http(s) URL is accepted at start and private addresses resolve for delivery', async () => {
    useResolver(stub);
    await expect(checkWebhookUrl('http://127.0.0.1:9/hook', { guard: false })).resolves.toBeInstanceOf(URL);
    await expect(checkWebhookUrl('http://ten.example.test/hook', { guard: false })).resolves.toBeInstanceOf(URL);
    await expect(resolveWebhookTarget(new URL('http://localhost.example.test/'), { guard: false })).resolves.toEqual({
      address: '127.0.0.1',
      family: 4,
    });
    await expect(checkWebhookUrl('ftp://example.test/', { guard: false })).rejects.toMatchObject({ status: 422 });
  });

  it('the guard is on unless the process says SIRTRAV_WEBHOOK_ALLOW_PRIVATE=1', () => {
    for (const value of [undefined, '', '0']) {
      vi.stubEnv('SIRTRAV_WEBHOOK_ALLOW_PRIVATE', value);
      expect(webhookGuardOn(), String(value)).toBe(true);
    }
    vi.stubEnv('SIRTRAV_WEBHOOK_ALLOW_PRIVATE', '1');
    expect(webhookGuardOn()).toBe(false);
    // Neither a Netlify deploy context nor a local declaration for auth opens it.
    vi.stubEnv('SIRTRAV_WEBHOOK_ALLOW_PRIVATE', undefined);
    vi.stubEnv('CONTEXT', 'dev');
    vi.stubEnv('SIRTRAV_LOCAL', '1');
    expect(webhookGuardOn()).toBe(true);
    expect(getConfig().SIRTRAV_WEBHOOK_ALLOW_PRIVATE).toBe(false);
  });
});
