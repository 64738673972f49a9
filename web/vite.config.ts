import { readFileSync } from "node:fs";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

// The manifest of the app's operations goes out with the app: the demo gateway trusts what it names.
const persistedDocuments: Plugin = {
  name: "persisted-documents",
  generateBundle() {
    this.emitFile({
      type: "asset",
      fileName: "persisted-documents.json",
      source: readFileSync("src/gql/persisted-documents.json", "utf8"),
    });
  },
};

// Served by the gateway at /app/ (demo mode), next to /graphql.
export default defineConfig({
  base: "/app/",
  plugins: [react(), persistedDocuments],
  build: { outDir: "dist", emptyOutDir: true },
});
