import { createPrivateKey, createPublicKey, hkdfSync, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { getConfig } from '../config.js';
import { exportKeySchema } from '../schemas/portability.js';

export { exportKeySchema };

/**
 * Every export is signed (Ed25519) by the site that made it. The private key
 * is derived from the site's SIRTRAV_API_SECRET (HKDF-SHA256, salt
 * `sirtrav`, info `sirtrav export signing v1`), so nothing new is stored and
 * every function instance agrees. The public half is the site's export key:
 * safe to hand out, it lets another site verify this site's archives and
 * cannot sign one.
 *
 * Without a secret (a local process, auth disabled) the key is derived from a
 * fixed, public value instead: an archive is still checked whole and
 * unchanged, but anyone could have signed it, so a site with a secret only
 * accepts such archives when that local export key is given explicitly.
 */
const INFO = 'sirtrav export signing v1';
const LOCAL_ONLY_SECRET = 'sirtrav local site: no SIRTRAV_API_SECRET set';
/** PKCS#8 DER for an Ed25519 private key, before its 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
/** What is signed: a label, then the manifest's exact bytes (so a signature cannot be reused for anything else). */
const SIGNED_PREFIX = Buffer.from('sirtrav-export-manifest\n');

/** The archive's second entry: who signed the manifest, and the signature. Fixed length, so layouts can be planned before signing. */
export const signatureEntrySchema = z.strictObject({
  alg: z.literal('Ed25519'),
  exportKey: exportKeySchema,
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/),
});
export type SignatureEntry = z.infer<typeof signatureEntrySchema>;
export const SIGNATURE_ENTRY = 'manifest.sig';

interface SiteKey {
  privateKey: KeyObject;
  exportKey: string;
}

const derived = new Map<string, SiteKey>();

/** This site's signing key, derived from `secret` (default: the configured one). */
export function siteKey(secret: string | undefined = getConfig().SIRTRAV_API_SECRET): SiteKey {
  const source = secret ?? LOCAL_ONLY_SECRET;
  const known = derived.get(source);
  if (known) return known;
  const seed = Buffer.from(hkdfSync('sha256', source, 'sirtrav', INFO, 32));
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const { x } = createPublicKey(privateKey).export({ format: 'jwk' });
  const key = { privateKey, exportKey: `ed25519:${x}` };
  if (derived.size > 8) derived.clear();
  derived.set(source, key);
  return key;
}

/** Whether this site runs without a secret (its export key is the public local one). */
export const signsWithLocalKey = () => !getConfig().SIRTRAV_API_SECRET;

const signed = (manifestJson: Uint8Array) => Buffer.concat([SIGNED_PREFIX, manifestJson]);

/** The signature entry's bytes for a manifest, signed with this site's key (or `key`). */
export function signManifest(manifestJson: Uint8Array, key: SiteKey = siteKey()): Buffer {
  const entry: SignatureEntry = {
    alg: 'Ed25519',
    exportKey: key.exportKey,
    signature: sign(null, signed(manifestJson), key.privateKey).toString('base64url'),
  };
  return Buffer.from(JSON.stringify(entry));
}

/** Bytes of every signature entry (its fields have fixed lengths). */
export const SIGNATURE_BYTES = signManifest(Buffer.alloc(0), siteKey('size probe')).byteLength;

/** Whether `entry` is a valid signature of the manifest by `exportKey`. */
export function signatureHolds(manifestJson: Uint8Array, entry: SignatureEntry, exportKey: string): boolean {
  if (entry.exportKey !== exportKey) return false;
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: exportKey.slice('ed25519:'.length) },
    format: 'jwk',
  });
  return verify(null, signed(manifestJson), publicKey, Buffer.from(entry.signature, 'base64url'));
}
