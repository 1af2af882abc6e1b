// The shell lines that point a client at Lumen, for empty states and Settings. Pure.

/** Relay and proxy setup lines for a daemon whose proxy listens on `proxyPort`. */
export function setupSnippets(
  proxyPort: number,
  caPath = "~/.lumen/ca.pem",
): { relay: string; proxy: string } {
  const origin = `http://127.0.0.1:${proxyPort}`;
  return {
    relay: [
      "# Relay mode: point the client's base URL at Lumen",
      `export ANTHROPIC_BASE_URL=${origin}/anthropic   # Claude Code, OpenCode`,
      `export OPENAI_BASE_URL=${origin}/openai/v1      # OpenAI SDKs`,
      `# Gemini SDKs: httpOptions.baseUrl = "${origin}/google"`,
    ].join("\n"),
    proxy: [
      "# Proxy mode: route HTTPS through Lumen and trust its CA",
      `export HTTPS_PROXY=${origin}`,
      "export NO_PROXY=localhost,127.0.0.1,::1",
      `export NODE_EXTRA_CA_CERTS=${caPath}`,
    ].join("\n"),
  };
}
