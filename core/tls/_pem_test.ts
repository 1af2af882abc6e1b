import assert from "node:assert/strict";
import { fromPem, toPem } from "./_pem.ts";
// reflect-metadata must be evaluated before @peculiar/x509 (its ASN.1 schemas use decorators).
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { loadOrCreateCa } from "./ca.ts";

const home = await Deno.makeTempDir({ prefix: "lumen-pem-test-" });
const ca = await loadOrCreateCa(home);
const caText = await Deno.readTextFile(ca.certPath);
const keyText = await Deno.readTextFile(ca.keyPath);
await Deno.remove(home, { recursive: true });
const caDer = new Uint8Array(new x509.X509Certificate(caText).rawData);

Deno.test("toPem() writes what x509's PemConverter writes, with openssl's final newline", () => {
  assert.equal(toPem(caDer, "CERTIFICATE"), `${x509.PemConverter.encode(caDer, "CERTIFICATE")}\n`);
  assert.equal(toPem(caDer.buffer, "CERTIFICATE"), caText);
  // 48 bytes fill exactly one 64-character line; the others end in a short one.
  for (const length of [1, 47, 48, 49, 96, 1000]) {
    const bytes = crypto.getRandomValues(new Uint8Array(length));
    assert.equal(
      toPem(bytes, "PRIVATE KEY"),
      `${x509.PemConverter.encode(bytes, "PRIVATE KEY")}\n`,
    );
  }
});

Deno.test("toPem() writes the CA certificate as openssl does", async () => {
  const out = await new Deno.Command("openssl", {
    args: ["x509", "-inform", "DER", "-outform", "PEM"],
    stdin: "piped",
    stdout: "piped",
  }).spawn();
  const writer = out.stdin.getWriter();
  await writer.write(caDer);
  await writer.close();
  const { code, stdout } = await out.output();
  assert.equal(code, 0);
  assert.equal(toPem(caDer, "CERTIFICATE"), new TextDecoder().decode(stdout));
});

Deno.test("fromPem() reads the one block of its type as x509 decodes it", () => {
  const key = x509.PemConverter.decodeFirst(keyText);
  assert.deepEqual(fromPem(keyText, "PRIVATE KEY"), new Uint8Array(key));
  assert.deepEqual(fromPem(caText, "CERTIFICATE"), caDer);
  // CRLF line ends and text around the block (RFC 7468 §2) are fine.
  const framed = `Lumen's CA\r\n${caText.replaceAll("\n", "\r\n")}trailing words\n`;
  assert.deepEqual(fromPem(framed, "CERTIFICATE"), caDer);
});

Deno.test("fromPem() refuses anything but exactly one block of the type", () => {
  const body = caText.split("\n").slice(1, -2).join("\n");
  const texts = {
    empty: "",
    "no block": "garbage",
    "two blocks": caText + caText,
    "a key as well": caText + keyText,
    "another type": keyText,
    "a mismatched END label": caText.replace("END CERTIFICATE", "END X509 CRL"),
    "an empty body": "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
    "a non-base64 body": caText.replace(body.slice(0, 4), "!!!!"),
    "RFC 1421 headers": caText.replace("\n", "\nProc-Type: 4,ENCRYPTED\n\n"),
  };
  for (const [what, text] of Object.entries(texts)) {
    assert.throws(
      () => fromPem(text, "CERTIFICATE"),
      { name: "SyntaxError", message: "expected one PEM CERTIFICATE block" },
      what,
    );
  }
});
