// The x509 library, set up once. Only creating the CA and minting leaves need it, and both import
// this module dynamically: evaluating it costs the daemon about 11 MB of memory.
// reflect-metadata must be evaluated before @peculiar/x509 (its ASN.1 schemas use decorators).
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(crypto);

export { x509 };
