// The clients Lumen can start, as data: where each is installed on every OS, the arguments it always
// gets, and which of Lumen's variables it reads. No I/O here; find.ts and launch.ts act on it.

/** Operating systems as `Deno.build.os` names them. */
export type Os = "darwin" | "linux" | "windows";

/** How a client's traffic reaches Lumen (README: relay mode, proxy mode). */
export type LaunchMode = "relay" | "proxy";

/** Every variable a launcher may set; see env.ts for their values. */
export type EnvName =
  | "ANTHROPIC_BASE_URL"
  | "OPENAI_BASE_URL"
  | "GOOGLE_GEMINI_BASE_URL"
  | "HTTPS_PROXY"
  | "https_proxy"
  | "NO_PROXY"
  | "no_proxy"
  | "NODE_EXTRA_CA_CERTS"
  | "NODE_USE_ENV_PROXY"
  | "SSL_CERT_FILE"
  | "REQUESTS_CA_BUNDLE"
  | "CURL_CA_BUNDLE";

/** Where a client lives on one OS. */
export interface OsEntry {
  /**
   * Where to look, in order. A bare name (no `/`, `\`, `~` or `%`) is looked up on PATH, with
   * PATHEXT on Windows; anything else is an absolute path in which `~` and `%NAME%` are expanded.
   */
  candidates: string[];
  /** Arguments always passed before the user's; `{proxy}` becomes the proxy's origin. */
  args?: string[];
  /** What is special on this OS, shown when the client is not found. */
  note?: string;
}

/** One client Lumen can start. */
export interface LauncherDefinition {
  id: string;
  name: string;
  description: string;
  /** GUI apps are started detached; terminal programs need the terminal of whoever starts them. */
  kind: "gui" | "terminal";
  /** "either": the caller picks (the plain shell), proxy unless told otherwise. */
  mode: LaunchMode | "either";
  /** The variables this client reads in each mode it supports (README explains each). */
  variables: Partial<Record<LaunchMode, EnvName[]>>;
  /**
   * OpenCode's AI SDK appends `/messages` to ANTHROPIC_BASE_URL (its default base URL ends in
   * `/v1`), where Anthropic's own SDK appends `/v1/messages`: such clients need `/v1` in the URL.
   */
  anthropicBaseIncludesV1?: boolean;
  /** How to install it, said when it is not found. */
  install: string;
  os: Record<Os, OsEntry>;
}

/** Relay mode: base URLs on the loopback relay, which no inherited proxy may catch. */
const LOOPBACK = ["NO_PROXY", "no_proxy"] as const;
/**
 * Proxy mode for Electron apps: Chromium's network stack honours `--proxy-server` on every OS
 * (HTTPS_PROXY only on Linux) and trusts only the system store, so the CA must be trusted there
 * (`lumen ca trust`); NODE_EXTRA_CA_CERTS covers their Node side (extension host, MCP servers).
 */
const ELECTRON_PROXY: EnvName[] = [
  "HTTPS_PROXY",
  "https_proxy",
  ...LOOPBACK,
  "NODE_EXTRA_CA_CERTS",
];
const ELECTRON_ARGS = ["--proxy-server={proxy}"];

/** Every client, in the order the dashboard and `lumen launch` list them. */
export const LAUNCHERS: readonly LauncherDefinition[] = [
  {
    id: "claude-code",
    name: "Claude Code",
    description: "Anthropic's coding agent in the terminal, through the relay",
    kind: "terminal",
    mode: "relay",
    // Anthropic's SDK: ANTHROPIC_BASE_URL without /v1 (README, relay mode).
    variables: { relay: ["ANTHROPIC_BASE_URL", ...LOOPBACK] },
    install: "npm install -g @anthropic-ai/claude-code (or https://claude.com/claude-code)",
    os: {
      darwin: { candidates: ["claude", "~/.local/bin/claude", "~/.claude/local/claude"] },
      linux: { candidates: ["claude", "~/.local/bin/claude", "~/.claude/local/claude"] },
      windows: { candidates: ["claude", "%USERPROFILE%\\.local\\bin\\claude.exe"] },
    },
  },
  {
    id: "opencode",
    name: "OpenCode",
    description: "The open-source coding agent in the terminal, through the relay",
    kind: "terminal",
    mode: "relay",
    // Its AI SDK providers read ANTHROPIC_BASE_URL and OPENAI_BASE_URL; Google's reads none.
    variables: { relay: ["ANTHROPIC_BASE_URL", "OPENAI_BASE_URL", ...LOOPBACK] },
    anthropicBaseIncludesV1: true,
    install: "npm install -g opencode-ai (or https://opencode.ai)",
    os: {
      darwin: { candidates: ["opencode", "~/.opencode/bin/opencode"] },
      linux: { candidates: ["opencode", "~/.opencode/bin/opencode"] },
      windows: { candidates: ["opencode", "%USERPROFILE%\\.opencode\\bin\\opencode.exe"] },
    },
  },
  {
    id: "codex",
    name: "Codex CLI",
    description: "OpenAI's coding agent in the terminal, through the relay (API-key sign-in)",
    kind: "terminal",
    mode: "relay",
    // Its built-in OpenAI provider reads OPENAI_BASE_URL; a ChatGPT sign-in talks to chatgpt.com.
    variables: { relay: ["OPENAI_BASE_URL", ...LOOPBACK] },
    install: "npm install -g @openai/codex",
    os: {
      darwin: { candidates: ["codex"] },
      linux: { candidates: ["codex"] },
      windows: { candidates: ["codex"] },
    },
  },
  {
    id: "gemini-cli",
    name: "Gemini CLI",
    description: "Google's agent in the terminal, through the relay (API-key sign-in)",
    kind: "terminal",
    mode: "relay",
    // @google/genai, which it is built on, reads GOOGLE_GEMINI_BASE_URL for the Gemini API.
    variables: { relay: ["GOOGLE_GEMINI_BASE_URL", ...LOOPBACK] },
    install: "npm install -g @google/gemini-cli",
    os: {
      darwin: { candidates: ["gemini"] },
      linux: { candidates: ["gemini"] },
      windows: { candidates: ["gemini"] },
    },
  },
  {
    id: "cursor",
    name: "Cursor",
    description: "The AI code editor, through the proxy: quit it first, and trust Lumen's CA",
    kind: "gui",
    mode: "proxy",
    variables: { proxy: ELECTRON_PROXY },
    install: "download it from https://cursor.com/downloads",
    os: {
      darwin: {
        candidates: [
          "/Applications/Cursor.app/Contents/MacOS/Cursor",
          "~/Applications/Cursor.app/Contents/MacOS/Cursor",
        ],
        args: ELECTRON_ARGS,
      },
      // The .deb puts the app in /usr/share/cursor and `cursor` on PATH; AppImages vary.
      linux: { candidates: ["cursor", "/usr/share/cursor/cursor"], args: ELECTRON_ARGS },
      windows: {
        // Per-user install first, then per-machine; `cursor` on PATH is its cursor.cmd shim.
        candidates: [
          "%LOCALAPPDATA%\\Programs\\cursor\\Cursor.exe",
          "%ProgramFiles%\\cursor\\Cursor.exe",
          "cursor",
        ],
        args: ELECTRON_ARGS,
      },
    },
  },
  {
    id: "claude-desktop",
    name: "Claude Desktop",
    description: "Anthropic's desktop app, through the proxy: quit it first, and trust Lumen's CA",
    kind: "gui",
    mode: "proxy",
    variables: { proxy: ELECTRON_PROXY },
    install: "download it from https://claude.ai/download",
    os: {
      darwin: {
        candidates: [
          "/Applications/Claude.app/Contents/MacOS/Claude",
          "~/Applications/Claude.app/Contents/MacOS/Claude",
        ],
        args: ELECTRON_ARGS,
      },
      linux: {
        candidates: ["claude-desktop"],
        args: ELECTRON_ARGS,
        note: "Anthropic publishes no Linux build; only community packages named claude-desktop",
      },
      windows: {
        candidates: ["%LOCALAPPDATA%\\AnthropicClaude\\claude.exe"],
        args: ELECTRON_ARGS,
      },
    },
  },
  {
    id: "shell",
    name: "Shell",
    description: "Your shell with Lumen's variables set, for any other client or script",
    kind: "terminal",
    mode: "either",
    // Proxy first (the default): it covers clients whose base URL cannot be changed. Node's own
    // fetch honours HTTPS_PROXY only with NODE_USE_ENV_PROXY=1 (Node ≥ 24.5); the three bundle
    // variables replace Python's, OpenSSL's and curl's trust stores, hence the combined bundle.
    variables: {
      proxy: [
        "HTTPS_PROXY",
        "https_proxy",
        ...LOOPBACK,
        "NODE_EXTRA_CA_CERTS",
        "NODE_USE_ENV_PROXY",
        "SSL_CERT_FILE",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
      ],
      relay: ["ANTHROPIC_BASE_URL", "OPENAI_BASE_URL", "GOOGLE_GEMINI_BASE_URL", ...LOOPBACK],
    },
    install: "set SHELL to your shell",
    os: {
      darwin: { candidates: ["%SHELL%", "/bin/zsh", "/bin/bash"] },
      linux: { candidates: ["%SHELL%", "/bin/bash", "/bin/sh"] },
      windows: { candidates: ["pwsh", "powershell", "%ComSpec%"] },
    },
  },
];

/** The definition with `id`, or undefined. */
export function launcherById(id: string): LauncherDefinition | undefined {
  return LAUNCHERS.find((launcher) => launcher.id === id);
}

/** The mode used when the caller names none. */
export function defaultMode(launcher: LauncherDefinition): LaunchMode {
  return launcher.mode === "either" ? "proxy" : launcher.mode;
}
