// TLS interception material for proxy mode: the per-install CA (created once, key file 0600) and
// the per-host leaf certificate cache. Only this folder uses @peculiar/x509, and only through a
// dynamic import of _x509.ts (creating the CA, minting leaves): loading it costs about 11 MB.
// It imports nothing from other Lumen modules but core/files.ts (node:*, x509, reflect-metadata).
export { CaError, type CertificateAuthority, loadOrCreateCa } from "./ca.ts";
export { createLeafCache, type Leaf, type LeafCache, type LeafCacheOptions } from "./leaf_cache.ts";
