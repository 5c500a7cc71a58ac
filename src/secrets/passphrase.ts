import { createCipheriv, createDecipheriv, pbkdf2Sync, randomBytes } from "node:crypto";

/**
 * Pulumi's passphrase secrets provider, as the CLI implements it: a 256-bit AES-GCM key from
 * PBKDF2-HMAC-SHA256(passphrase, salt, 1,000,000 rounds). A stack file's `encryptionsalt` is
 * `v1:<base64 salt>:v1:<base64 nonce>:<base64 ciphertext+tag>` where the ciphertext is "pulumi" (the passphrase check);
 * each `secure:` value is `v1:<base64 nonce>:<base64 ciphertext+tag>` of the plain config string.
 */
export interface PassphraseCrypter {
  decrypt(ciphertext: string): string;
  encrypt(plaintext: string): string;
}

const ROUNDS = 1_000_000;
const VERIFIER = "pulumi";

export class WrongPassphraseError extends Error {
  constructor() {
    super("PULUMI_CONFIG_PASSPHRASE does not match this stack's encryptionsalt");
  }
}

export function passphraseCrypter(passphrase: string, encryptionSalt: string): PassphraseCrypter {
  const parts = encryptionSalt.split(":");
  if (parts.length !== 5 || parts[0] !== "v1") throw new Error("encryptionsalt is not of the form v1:<salt>:v1:<nonce>:<ciphertext>");
  const crypter = crypterForKey(pbkdf2Sync(passphrase, Buffer.from(parts[1]!, "base64"), ROUNDS, 32, "sha256"));
  let verified: string;
  try {
    verified = crypter.decrypt(parts.slice(2).join(":"));
  } catch {
    throw new WrongPassphraseError();
  }
  if (verified !== VERIFIER) throw new WrongPassphraseError();
  return crypter;
}

/** A new `encryptionsalt` for a passphrase, and its crypter (tests and example stacks). */
export function newPassphraseSalt(passphrase: string): { encryptionSalt: string; crypter: PassphraseCrypter } {
  const salt = randomBytes(8);
  const crypter = crypterForKey(pbkdf2Sync(passphrase, salt, ROUNDS, 32, "sha256"));
  return { encryptionSalt: `v1:${salt.toString("base64")}:${crypter.encrypt(VERIFIER)}`, crypter };
}

function crypterForKey(key: Buffer): PassphraseCrypter {
  return {
    decrypt(ciphertext) {
      const [version, nonce, body] = ciphertext.split(":");
      if (version !== "v1" || !nonce || !body) throw new Error("a secure value is not of the form v1:<nonce>:<ciphertext>");
      const sealed = Buffer.from(body, "base64");
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(nonce, "base64"));
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString("utf8");
    },
    encrypt(plaintext) {
      const nonce = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, nonce);
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return `v1:${nonce.toString("base64")}:${body.toString("base64")}`;
    },
  };
}
