import test from "ava";
import { newPassphraseSalt, passphraseCrypter, WrongPassphraseError } from "../../src/secrets/passphrase";
import { FIXTURE_JWT_SECRET } from "../helpers/fixtures";

// encryptionsalt values that the Pulumi CLI itself produced, from its passphrase secrets-manager tests:
// one for the passphrase "password", one for the empty passphrase. Reading them proves interoperability.
const CLI_SALT_PASSWORD = "v1:fozI5u6B030=:v1:F+6ZduKKd8G0/V7L:PGMFeIzwobWRKmEAzUdaQHqC5mMRIQ==";
const CLI_SALT_EMPTY = "v1:LVuDkcjhUns=:v1:WPbL+tmbxnqWswQ2:lebZxStyHT3IZkmbN+3xCx9zqtoPog==";

test("accepts the passphrase of an encryptionsalt made by the Pulumi CLI, and refuses another", (t) => {
  t.notThrows(() => passphraseCrypter("password", CLI_SALT_PASSWORD));
  t.notThrows(() => passphraseCrypter("", CLI_SALT_EMPTY));
  t.throws(() => passphraseCrypter("password123", CLI_SALT_PASSWORD), { instanceOf: WrongPassphraseError });
});

test("a value encrypted under a passphrase decrypts with the same passphrase and salt", (t) => {
  const { encryptionSalt, crypter } = newPassphraseSalt("kubesphere-fleet-example");
  t.regex(encryptionSalt, /^v1:[A-Za-z0-9+/=]{12}:v1:[A-Za-z0-9+/=]{16}:[A-Za-z0-9+/=]+$/);
  const secure = crypter.encrypt(FIXTURE_JWT_SECRET);
  t.regex(secure, /^v1:[A-Za-z0-9+/=]{16}:[A-Za-z0-9+/=]+$/);
  t.is(passphraseCrypter("kubesphere-fleet-example", encryptionSalt).decrypt(secure), FIXTURE_JWT_SECRET);
});

test("a wrong passphrase is refused by the salt's verifier", (t) => {
  const { encryptionSalt } = newPassphraseSalt("right");
  t.throws(() => passphraseCrypter("wrong", encryptionSalt), { instanceOf: WrongPassphraseError });
});
