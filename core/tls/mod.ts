// TLS interception material for proxy mode: the per-install CA (created once, key file 0600) and
// the per-host leaf certificate cache. Only this folder uses @peculiar/x509; it imports nothing
// from other Lumen modules (node:*, @peculiar/x509 and reflect-metadata only).
export { CaError, type CertificateAuthority, loadOrCreateCa } from "./ca.ts";
export { createLeafCache, type Leaf, type LeafCache, type LeafCacheOptions } from "./leaf_cache.ts";
