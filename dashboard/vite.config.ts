import adapter from "@sveltejs/adapter-static";
import { sveltekit } from "@sveltejs/kit/vite";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [
    sveltekit({
      // An SPA: core serves build/ under /dashboard and answers unknown paths with index.html.
      adapter: adapter({ fallback: "index.html" }),
      paths: { base: "/dashboard" },
    }),
  ],
});
