// Per-host leaf certificates for proxy mode's TLS interception, signed by the install's CA.
// Modelled on mitmproxy's CertStore: one key pair for every leaf, so a mint costs one signature.
import { isIP } from "node:net";
import { createSecureContext, type SecureContext } from "node:tls";
import type { CertificateAuthority } from "./ca.ts";
import { buildCertificate, distinguishedName } from "./_certificate_builder.ts";
import { DAY_MS, EC_KEY, randomSerial } from "./_conventions.ts";
import { extensions, KEY_USAGE, keyIdentifier } from "./_extensions.ts";
import { toPem } from "./_pem.ts";

/** A leaf certificate for one host and the TLS context that presents it. */
export interface Leaf {
  certPem: string;
  /** The PKCS#8 key shared by every leaf of the cache. */
  keyPem: string;
  context: SecureContext;
  notAfter: Date;
}

/** Options of createLeafCache(). */
export interface LeafCacheOptions {
  /** Hosts kept before the least recently used is dropped; default 100, as mitmproxy keeps. */
  max?: number;
  /** The clock in epoch ms; default Date.now. */
  now?: () => number;
}

/** Per-host leaf certificates, minted on first use and cached. */
export interface LeafCache {
  /** Resolves the leaf for `host` (a DNS name or IP literal), minting at most once per host. */
  get(host: string): Promise<Leaf>;
  /** Hosts cached, including mints in flight. */
  readonly size: number;
  /** Certificates minted so far. */
  readonly mints: number;
}

interface Entry {
  promise: Promise<Leaf>;
  leaf?: Leaf;
}

interface LeafSetup {
  /** The CA's subject Name as DER, which every leaf names as its issuer. */
  issuer: Uint8Array;
  spki: Uint8Array;
  keyPem: string;
  /** The extensions every leaf carries before its SubjectAltName. */
  extensions: Uint8Array[];
}

// CA/Browser Forum ballot SC-081 caps leaf validity at 200 days from March 2026, and some clients
// may apply it to locally trusted CAs too; 199 days leaves a margin.
const MAX_VALIDITY_MS = 199 * DAY_MS;
// mitmproxy's offset: clients whose clock runs up to two days behind still accept the leaf.
const BACKDATE_MS = 2 * DAY_MS;
const HOST_REGEXP = /^[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*$/;

/** Creates a leaf cache that signs with `ca`. */
export function createLeafCache(
  ca: CertificateAuthority,
  options: LeafCacheOptions = {},
): LeafCache {
  const max = options.max ?? 100;
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order and every hit re-inserts, so the first key is the LRU one.
  const entries = new Map<string, Entry>();
  let setup: Promise<LeafSetup> | undefined;
  let mints = 0;

  async function mint(host: string): Promise<Leaf> {
    // A failed setup is forgotten so that the next mint tries again.
    setup ??= prepareLeaves(ca).catch((error) => {
      setup = undefined;
      throw error;
    });
    const { issuer, spki, keyPem, extensions: shared } = await setup;
    const notBefore = new Date(now() - BACKDATE_MS);
    const end = Math.min(notBefore.getTime() + MAX_VALIDITY_MS, ca.notAfter.getTime());
    // X.509 times have whole seconds: the leaf's notAfter is the one the certificate states.
    const notAfter = new Date(end - end % 1000);
    const certDer = await buildCertificate({
      serial: randomSerial(),
      issuer,
      subject: distinguishedName(host),
      notBefore,
      notAfter,
      spki,
      extensions: [...shared, extensions.subjectAltName(host)],
    }, ca.privateKey);
    const certPem = toPem(certDer, "CERTIFICATE");
    const context = createSecureContext({ cert: certPem, key: keyPem });
    mints++;
    return { certPem, keyPem, context, notAfter };
  }

  function get(host: string): Promise<Leaf> {
    const name = host.toLowerCase();
    if (!isIP(name) && (name.length > 253 || !HOST_REGEXP.test(name))) {
      const shown = JSON.stringify(host.slice(0, 100));
      return Promise.reject(
        new TypeError(`Cannot mint a certificate for ${shown}: not a host name or IP`),
      );
    }
    const cached = entries.get(name);
    entries.delete(name);
    const stale = cached?.leaf && cached.leaf.notAfter.getTime() - now() < DAY_MS;
    const entry: Entry = cached && !stale ? cached : { promise: mint(name) };
    entries.set(name, entry);
    if (entry !== cached) {
      entry.promise.then(
        (leaf) => (entry.leaf = leaf),
        // Forget the failure so the next CONNECT to this host tries again.
        () => entries.get(name) === entry && entries.delete(name),
      );
    }
    if (entries.size > max) entries.delete(entries.keys().next().value!);
    return entry.promise;
  }

  return {
    get,
    get size() {
      return entries.size;
    },
    get mints() {
      return mints;
    },
  };
}

/** Generates the leaves' shared key pair and the extensions every leaf carries. */
async function prepareLeaves(ca: CertificateAuthority): Promise<LeafSetup> {
  const keys = await crypto.subtle.generateKey(EC_KEY, true, ["sign", "verify"]);
  const keyPem = toPem(await crypto.subtle.exportKey("pkcs8", keys.privateKey), "PRIVATE KEY");
  return {
    issuer: ca.certificate.subjectDer,
    spki: new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey)),
    keyPem,
    extensions: [
      extensions.basicConstraints({ ca: false }),
      extensions.keyUsage(KEY_USAGE.digitalSignature),
      extensions.serverAuth(),
      // Lets clients pick the issuer by key id (RFC 5280 §4.2.1.1); a CA made elsewhere may lack one.
      extensions.authorityKeyIdentifier(
        ca.certificate.subjectKeyId ?? await keyIdentifier(ca.certificate.spki),
      ),
    ],
  };
}
