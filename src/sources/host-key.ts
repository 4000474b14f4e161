// Host key pinning. A pin is the server key's SHA256 fingerprint exactly as `ssh-keygen -lf <key>.pub`
// prints it (`SHA256:` + unpadded base64 of sha256(key blob)); the whole line that ssh-keygen prints is
// accepted too, and then its key type narrows the host key algorithms offered, so that a server holding
// several host keys shows the pinned one (ssh2 would otherwise prefer ed25519).
import { createHash } from 'node:crypto';
import type { ServerHostKeyAlgorithm } from 'ssh2';
import type { HostKeyPin } from '../config/source-settings.ts';

/** The fingerprint of a public key blob (SSH wire format), as `ssh-keygen -lf` prints it. */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The algorithm name at the start of a public key blob (`ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const length = keyBlob.readUInt32BE(0);
  return length > 0 && length <= 64 && keyBlob.length >= 4 + length ? keyBlob.subarray(4, 4 + length).toString('latin1') : 'unknown';
}

const ALGORITHMS_OF_TYPE: Record<string, (bits?: number) => ServerHostKeyAlgorithm[]> = {
  ED25519: () => ['ssh-ed25519'],
  ECDSA: (bits) =>
    bits === 256 ? ['ecdsa-sha2-nistp256'] : bits === 384 ? ['ecdsa-sha2-nistp384'] : bits === 521 ? ['ecdsa-sha2-nistp521'] : ['ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521'],
  RSA: () => ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/** The host key algorithms to offer: only the pinned types when every pin names its type, else ssh2's defaults. */
export function hostKeyAlgorithmsFor(pins: readonly HostKeyPin[]): ServerHostKeyAlgorithm[] | undefined {
  const algorithms = new Set<ServerHostKeyAlgorithm>();
  for (const pin of pins) {
    const of = pin.keyType ? ALGORITHMS_OF_TYPE[pin.keyType] : undefined;
    if (!of) return undefined;
    for (const algorithm of of(pin.bits)) algorithms.add(algorithm);
  }
  return algorithms.size > 0 ? [...algorithms] : undefined;
}
