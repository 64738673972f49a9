import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// Served by the gateway at /app/ (demo mode), next to /graphql.
export default defineConfig({
  base: "/app/",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true },
});
