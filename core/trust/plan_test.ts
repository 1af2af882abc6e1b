import assert from "node:assert/strict";
import {
  type CaFile,
  DEBIAN_ANCHOR,
  FEDORA_ANCHOR,
  linuxFamily,
  planTrust,
  planUntrust,
  renderCommand,
} from "./plan.ts";

const CA: CaFile = {
  path: "/home/ada/.lumen/ca.pem",
  sha1: "0123456789ABCDEF0123456789ABCDEF01234567",
  serial: "4a1b2c3d4e5f60718293a4b5c6d7e8f9",
};
const WINDOWS_CA: CaFile = { ...CA, path: "C:\\Users\\Ada Lovelace\\.lumen\\ca.pem" };

Deno.test("planTrust() adds the CA to the macOS login keychain as a trusted root, no sudo", () => {
  assert.deepEqual(planTrust({ os: "darwin", userHome: "/Users/ada/" }, CA), {
    commands: [[
      "security",
      "add-trusted-cert",
      "-r",
      "trustRoot",
      "-k",
      "/Users/ada/Library/Keychains/login.keychain-db",
      CA.path,
    ]],
    needsRoot: false,
  });
});

Deno.test("planUntrust() removes the macOS trust setting, then the certificate by SHA-1", () => {
  assert.deepEqual(planUntrust({ os: "darwin", userHome: "/Users/ada" }, CA), {
    commands: [
      ["security", "remove-trusted-cert", CA.path],
      [
        "security",
        "delete-certificate",
        "-Z",
        CA.sha1,
        "/Users/ada/Library/Keychains/login.keychain-db",
      ],
    ],
    needsRoot: false,
  });
});

Deno.test("planTrust() and planUntrust() use the Windows user Root store by path and serial", () => {
  assert.deepEqual(planTrust({ os: "windows" }, WINDOWS_CA), {
    commands: [["certutil", "-user", "-addstore", "Root", WINDOWS_CA.path]],
    needsRoot: false,
  });
  assert.deepEqual(planUntrust({ os: "windows" }, WINDOWS_CA), {
    commands: [["certutil", "-user", "-delstore", "Root", CA.serial]],
    needsRoot: false,
  });
});

Deno.test("planTrust() and planUntrust() use Debian's local CA folder and update tool, as root", () => {
  const target = { os: "linux", family: "debian" } as const;
  assert.equal(DEBIAN_ANCHOR, "/usr/local/share/ca-certificates/lumen-ca.crt");
  assert.deepEqual(planTrust(target, CA), {
    commands: [["install", "-m", "644", CA.path, DEBIAN_ANCHOR], ["update-ca-certificates"]],
    needsRoot: true,
  });
  assert.deepEqual(planUntrust(target, CA), {
    commands: [["rm", "-f", DEBIAN_ANCHOR], ["update-ca-certificates", "--fresh"]],
    needsRoot: true,
  });
});

Deno.test("planTrust() and planUntrust() use Fedora's anchors folder and update-ca-trust", () => {
  const target = { os: "linux", family: "fedora" } as const;
  assert.equal(FEDORA_ANCHOR, "/etc/pki/ca-trust/source/anchors/lumen-ca.pem");
  assert.deepEqual(planTrust(target, CA), {
    commands: [["install", "-m", "644", CA.path, FEDORA_ANCHOR], ["update-ca-trust"]],
    needsRoot: true,
  });
  assert.deepEqual(planUntrust(target, CA), {
    commands: [["rm", "-f", FEDORA_ANCHOR], ["update-ca-trust"]],
    needsRoot: true,
  });
});

Deno.test("planTrust() and planUntrust() use p11-kit's trust anchor on Arch", () => {
  const target = { os: "linux", family: "arch" } as const;
  assert.deepEqual(planTrust(target, CA), {
    commands: [["trust", "anchor", "--store", CA.path]],
    needsRoot: true,
  });
  assert.deepEqual(planUntrust(target, CA), {
    commands: [["trust", "anchor", "--remove", CA.path]],
    needsRoot: true,
  });
});

Deno.test("linuxFamily() reads ID, then ID_LIKE, quoted or not", () => {
  const cases: [string, string, string | null][] = [
    ["Debian 12", 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n', "debian"],
    ["Ubuntu", 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n', "debian"],
    ["Linux Mint", 'ID=linuxmint\nID_LIKE="ubuntu debian"\n', "debian"],
    ["Pop!_OS", "ID=pop\r\nID_LIKE='ubuntu debian'\r\n", "debian"],
    ["Fedora", "NAME=Fedora\nID=fedora\n", "fedora"],
    ["RHEL", 'ID="rhel"\nID_LIKE="fedora"\n', "fedora"],
    ["Rocky", 'ID="rocky"\nID_LIKE="rhel centos fedora"\n', "fedora"],
    ["CentOS Stream", 'ID="centos"\nID_LIKE="rhel fedora"\n', "fedora"],
    ["Arch", 'NAME="Arch Linux"\nID=arch\n', "arch"],
    ["Manjaro", "ID=manjaro\nID_LIKE=arch\n", "arch"],
    ["Alpine", "ID=alpine\n", null],
    ["openSUSE", 'ID="opensuse-tumbleweed"\nID_LIKE="opensuse suse"\n', null],
    ["empty", "", null],
    ["a VERSION_ID is not an ID", "VERSION_ID=debian\n", null],
  ];
  for (const [name, text, family] of cases) assert.equal(linuxFamily(text), family, name);
});

Deno.test("renderCommand() quotes only what a shell would split, and adds sudo on request", () => {
  assert.equal(
    renderCommand(["install", "-m", "644", "/home/ada/.lumen/ca.pem", DEBIAN_ANCHOR], {
      sudo: true,
    }),
    `sudo install -m 644 /home/ada/.lumen/ca.pem ${DEBIAN_ANCHOR}`,
  );
  assert.equal(
    renderCommand(["trust", "anchor", "--store", "/home/o'neil/my ca/ca.pem"], {}),
    `trust anchor --store '/home/o'"'"'neil/my ca/ca.pem'`,
  );
  assert.equal(
    renderCommand(["certutil", "-user", "-addstore", "Root", WINDOWS_CA.path], { windows: true }),
    'certutil -user -addstore Root "C:\\Users\\Ada Lovelace\\.lumen\\ca.pem"',
  );
  assert.equal(
    renderCommand(["certutil", "-user", "-addstore", "Root", "C:\\lumen\\ca.pem"], {
      windows: true,
    }),
    "certutil -user -addstore Root C:\\lumen\\ca.pem",
  );
});
