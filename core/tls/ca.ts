// The per-install certificate authority that signs proxy mode's leaf certificates. It is created
// once per LUMEN_HOME and reused; an existing CA is never replaced without the user removing it,
// because every client that trusted it would silently stop trusting Lumen.
import { exists, writeAtomically } from "../files.ts";
import { type CertificateFields, parseCertificate } from "./_certificate.ts";
import { buildCertificate, distinguishedName } from "./_certificate_builder.ts";
import { DAY_MS, EC_KEY, EC_SIGNING, fingerprint, randomSerial, toHex } from "./_conventions.ts";
import { extensions, KEY_USAGE, keyIdentifier } from "./_extensions.ts";
import { fromPem, toPem } from "./_pem.ts";

/** A CA problem the user must fix; the message names the file and says what to do. */
export class CaError extends Error {
  override name = "CaError";
}

/** The install's CA, loaded or created by loadOrCreateCa(). */
export interface CertificateAuthority {
  /** The CA certificate as PEM: what clients must trust. */
  certPem: string;
  certPath: string;
  keyPath: string;
  /** SHA-256 of the DER certificate in uppercase colon-separated hex, as openssl prints it. */
  fingerprintSha256: string;
  notAfter: Date;
  subject: string;
  /** The parsed certificate, whose subject and key identifier the leaves refer to. */
  certificate: CertificateFields;
  /** The key that signs the leaves. */
  privateKey: CryptoKey;
}

interface CaPaths {
  certPath: string;
  keyPath: string;
  lockPath: string;
}

const VALIDITY_MS = 3650 * DAY_MS;
const LOCK_WAIT_S = 10;
const RESET_HINT =
  "remove both ca.pem and ca-key.pem to create a new CA; clients that trusted the old one must trust the new one";

/** Loads the CA from `home` (an existing 0700 directory), creating it there on first start. */
export async function loadOrCreateCa(home: string): Promise<CertificateAuthority> {
  const paths = {
    certPath: `${home}/ca.pem`,
    keyPath: `${home}/ca-key.pem`,
    lockPath: `${home}/ca.lock`,
  };
  try {
    return await loadOrCreate(paths);
  } catch (error) {
    // One error type for the caller; Deno's I/O messages already name the path.
    if (error instanceof CaError) throw error;
    throw new CaError(`Cannot load or create the CA in "${home}": ${messageOf(error)}`);
  }
}

async function loadOrCreate(paths: CaPaths): Promise<CertificateAuthority> {
  const deadline = Date.now() + LOCK_WAIT_S * 1000;
  for (;;) {
    // ca.pem is written last and neither file is ever deleted, so both present means complete.
    if (await exists(paths.certPath) && await exists(paths.keyPath)) return await loadCa(paths);
    const ca = await createUnderLock(paths);
    if (ca) return ca;
    if (Date.now() > deadline) {
      throw new CaError(
        `Cannot create the CA: "${paths.lockPath}" was held for over ${LOCK_WAIT_S} s; ` +
          "if no other Lumen is starting, remove it and start again",
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Creates the CA while holding the lock file; resolves null when another process holds it. */
async function createUnderLock(paths: CaPaths): Promise<CertificateAuthority | null> {
  try {
    await Deno.writeFile(paths.lockPath, new Uint8Array(), { createNew: true, mode: 0o600 });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return null;
    throw error;
  }
  try {
    // Under the lock the files cannot change, so a lone file is a real leftover, not a race.
    const [hasCert, hasKey] = [await exists(paths.certPath), await exists(paths.keyPath)];
    if (hasCert && hasKey) return await loadCa(paths);
    if (hasCert || hasKey) {
      const [present, missing] = hasCert
        ? [paths.certPath, paths.keyPath]
        : [paths.keyPath, paths.certPath];
      throw new CaError(
        `Cannot load the CA: "${present}" exists but "${missing}" does not; ${RESET_HINT}`,
      );
    }
    return await createCa(paths);
  } finally {
    await Deno.remove(paths.lockPath);
  }
}

async function createCa(paths: CaPaths): Promise<CertificateAuthority> {
  const keys = await crypto.subtle.generateKey(EC_KEY, true, ["sign", "verify"]);
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  const id = toHex(crypto.getRandomValues(new Uint8Array(4)));
  const name = distinguishedName(`Lumen Local CA (${id})`, "Lumen");
  const notBefore = new Date(Date.now() - DAY_MS); // backdated for clients whose clock runs behind
  const certDer = await buildCertificate({
    serial: randomSerial(),
    issuer: name,
    subject: name,
    notBefore,
    notAfter: new Date(notBefore.getTime() + VALIDITY_MS),
    spki,
    extensions: [
      // pathLen 0: this CA signs leaves only, never another CA.
      extensions.basicConstraints({ ca: true, pathLength: 0 }),
      extensions.keyUsage(KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign),
      extensions.subjectKeyIdentifier(await keyIdentifier(spki)),
    ],
  }, keys.privateKey);
  const keyPem = toPem(await crypto.subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY");
  await writeAtomically(paths.keyPath, keyPem, 0o600);
  await writeAtomically(paths.certPath, toPem(certDer, "CERTIFICATE"), 0o644);
  return await describe(paths, {
    certDer,
    certificate: parseCertificate(certDer),
    privateKey: keys.privateKey,
  });
}

async function loadCa(paths: CaPaths): Promise<CertificateAuthority> {
  if (Deno.build.os !== "windows") {
    const { mode } = await Deno.stat(paths.keyPath);
    if (mode !== null && (mode & 0o077) !== 0) {
      throw new CaError(
        `Cannot use "${paths.keyPath}": other users may read or change it (mode ${
          (mode & 0o777).toString(8)
        }); run: chmod 600 "${paths.keyPath}"`,
      );
    }
  }
  const keyDer = await readPemBlock(paths.keyPath, "PRIVATE KEY");
  const certDer = await readPemBlock(paths.certPath, "CERTIFICATE");
  let certificate: CertificateFields;
  let privateKey: CryptoKey;
  try {
    certificate = parseCertificate(certDer);
  } catch (error) {
    throw new CaError(`Cannot parse "${paths.certPath}" (${messageOf(error)}); ${RESET_HINT}`);
  }
  try {
    privateKey = await crypto.subtle.importKey("pkcs8", keyDer, EC_KEY, false, ["sign"]);
  } catch (error) {
    throw new CaError(
      `Cannot use "${paths.keyPath}" as an ECDSA P-256 key (${messageOf(error)}); ${RESET_HINT}`,
    );
  }
  if (!await keyMatches(privateKey, certificate)) {
    throw new CaError(
      `Cannot use "${paths.keyPath}": it is not the key of "${paths.certPath}"; ${RESET_HINT}`,
    );
  }
  if (certificate.notAfter.getTime() <= Date.now()) {
    throw new CaError(
      `Cannot use "${paths.certPath}": it expired on ${certificate.notAfter.toISOString()}; ${RESET_HINT}`,
    );
  }
  return await describe(paths, { certDer, certificate, privateKey });
}

async function describe(
  paths: CaPaths,
  { certDer, certificate, privateKey }: {
    certDer: Uint8Array<ArrayBuffer>;
    certificate: CertificateFields;
    privateKey: CryptoKey;
  },
): Promise<CertificateAuthority> {
  return {
    certPem: toPem(certDer, "CERTIFICATE"),
    certPath: paths.certPath,
    keyPath: paths.keyPath,
    fingerprintSha256: await fingerprint(certDer, "SHA-256", ":"),
    notAfter: certificate.notAfter,
    subject: certificate.subject,
    certificate,
    privateKey,
  };
}

/** True when `privateKey` signs what the certificate's public key verifies. */
async function keyMatches(privateKey: CryptoKey, certificate: CertificateFields) {
  const challenge = crypto.getRandomValues(new Uint8Array(32));
  try {
    const publicKey = await crypto.subtle.importKey("spki", certificate.spki, EC_KEY, false, [
      "verify",
    ]);
    const signature = await crypto.subtle.sign(EC_SIGNING, privateKey, challenge);
    return await crypto.subtle.verify(EC_SIGNING, publicKey, signature, challenge);
  } catch {
    // A certificate whose key is not ECDSA P-256 cannot belong to this key.
    return false;
  }
}

/** The DER of the PEM `type` block in `path`, which must hold exactly one block. */
async function readPemBlock(path: string, type: string): Promise<Uint8Array<ArrayBuffer>> {
  const text = await Deno.readTextFile(path);
  try {
    return fromPem(text, type);
  } catch (error) {
    throw new CaError(`Cannot parse "${path}": ${messageOf(error)}; ${RESET_HINT}`);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
