// The shell lines that point a client at Lumen, for empty states and Settings. Pure.

/** Relay and proxy setup lines for a daemon whose proxy listens on `proxyPort`. */
export function setupSnippets(
  proxyPort: number,
  caPath = "~/.lumen/ca.pem",
): { relay: string; proxy: string } {
  const origin = `http://127.0.0.1:${proxyPort}`;
  return {
    relay: [
      "# Relay: Claude Code, OpenCode, OpenAI SDKs",
      `export ANTHROPIC_BASE_URL=${origin}/anthropic`,
      `export OPENAI_BASE_URL=${origin}/openai/v1`,
      `# Gemini SDKs: baseUrl ${origin}/google`,
    ].join("\n"),
    proxy: [
      "# Proxy: any client; trust Lumen's CA",
      `export HTTPS_PROXY=${origin}`,
      "export NO_PROXY=localhost,127.0.0.1,::1",
      `export NODE_EXTRA_CA_CERTS=${caPath}`,
    ].join("\n"),
  };
}
