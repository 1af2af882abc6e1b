// How to trust Lumen's CA on each system, with the real certificate path filled in. Pure.

/** One system's way to trust the CA. */
export interface TrustStep {
  id: string;
  label: string;
  /** When to use it, in a sentence. */
  intro: string;
  /** The snippet's title: where to run it. */
  shell: string;
  code: string;
}

/** Every system's steps for the certificate at `caPath` (the daemon's own path, so its OS's). */
export function trustSteps(caPath: string): TrustStep[] {
  const windows = /^[a-z]:\\/i.test(caPath);
  const path = windows ? quoteWindows(caPath) : quotePosix(caPath);
  const shell = windows ? "PowerShell" : "Shell";
  return [
    {
      id: "macos",
      label: "macOS",
      intro:
        "Adds the CA to your login keychain (macOS asks for your password); Safari, Chrome and " +
        "most apps then trust it. Or run: lumen ca trust",
      shell: "Terminal",
      code:
        `security add-trusted-cert -r trustRoot -k ~/Library/Keychains/login.keychain-db ${path}`,
    },
    {
      id: "debian",
      label: "Debian / Ubuntu",
      intro: "Installs the CA into the system bundle that curl, browsers and most tools read. " +
        "Or run: sudo lumen ca trust",
      shell: "Shell",
      code: [
        `sudo install -m 644 ${path} /usr/local/share/ca-certificates/lumen-ca.crt`,
        "sudo update-ca-certificates",
      ].join("\n"),
    },
    {
      id: "fedora",
      label: "Fedora / RHEL",
      intro: "Adds the CA as a system anchor and rebuilds the trust bundle.",
      shell: "Shell",
      code: [
        `sudo install -m 644 ${path} /etc/pki/ca-trust/source/anchors/lumen-ca.pem`,
        "sudo update-ca-trust",
      ].join("\n"),
    },
    {
      id: "arch",
      label: "Arch",
      intro: "Adds the CA as a system anchor; p11-kit rebuilds the bundle itself.",
      shell: "Shell",
      code: `sudo trust anchor --store ${path}`,
    },
    {
      id: "windows",
      label: "Windows",
      intro: "Adds the CA to your user's trusted roots; Windows asks you to confirm.",
      shell: "PowerShell or cmd",
      code: `certutil -user -addstore Root ${path}`,
    },
    {
      id: "node",
      label: "Node.js",
      intro: "Claude Code, OpenCode and Node scripts read this variable: no system change needed.",
      shell: `${shell}, before starting the client`,
      code: windows ? nodeWindows(caPath) : `export NODE_EXTRA_CA_CERTS=${path}`,
    },
    {
      id: "python",
      label: "Python",
      intro: "SSL_CERT_FILE replaces Python's trust store, so point it at Lumen's bundle: the " +
        "system's roots plus Lumen's CA.",
      shell: `${shell}, before starting the client`,
      code: windows ? pythonWindows(caPath) : pythonPosix(caPath),
    },
  ];
}

/** The step to show first: the reader's own system, when the browser tells. */
export function guessStep(userAgent: string): string {
  if (/Mac OS X|Macintosh/i.test(userAgent)) return "macos";
  if (/Windows/i.test(userAgent)) return "windows";
  if (/Fedora|Red Hat/i.test(userAgent)) return "fedora";
  return "debian";
}

function nodeWindows(caPath: string): string {
  return `$env:NODE_EXTRA_CA_CERTS = "${caPath}"`;
}

// Lumen keeps ca-bundle.pem (the system's roots plus its CA) beside ca.pem for exactly this.
function pythonWindows(caPath: string): string {
  const bundle = `${dirname(caPath)}\\ca-bundle.pem`;
  return `$env:SSL_CERT_FILE = "${bundle}"; $env:REQUESTS_CA_BUNDLE = "${bundle}"`;
}

function pythonPosix(caPath: string): string {
  const bundle = quotePosix(`${dirname(caPath)}/ca-bundle.pem`);
  return `export SSL_CERT_FILE=${bundle} REQUESTS_CA_BUNDLE=${bundle}`;
}

function quotePosix(path: string): string {
  return /^[\w@%+=:,./~-]+$/.test(path) ? path : `'${path.replaceAll("'", `'"'"'`)}'`;
}

function quoteWindows(path: string): string {
  return /\s/.test(path) ? `"${path}"` : path;
}

function dirname(path: string): string {
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return slash > 0 ? path.slice(0, slash) : ".";
}
