// TLS interception material for proxy mode: the per-install CA (created once, key file 0600) and
// the per-host leaf certificate cache. Certificates are read and written with the folder's own DER
// code and WebCrypto, not @peculiar/x509: that library costs the daemon about 11 MB of memory.
// It imports nothing from other Lumen modules but core/files.ts (and node:*).
export { CaError, type CertificateAuthority, loadOrCreateCa } from "./ca.ts";
export { createLeafCache, type Leaf, type LeafCache, type LeafCacheOptions } from "./leaf_cache.ts";
