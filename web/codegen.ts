import type { CodegenConfig } from "@graphql-codegen/cli";

// Typed operations from the gateway's schema; `persistedDocuments` also writes
// src/gql/persisted-documents.json, the manifest the gateway's trusted-documents mode reads.
const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["src/**/*.ts", "src/**/*.tsx", "!src/gql/**/*"],
  generates: {
    "./src/gql/": {
      preset: "client",
      presetConfig: { persistedDocuments: true, fragmentMasking: false },
      config: { enumsAsTypes: true, scalars: { DateTime: "string", Date: "string" } },
    },
  },
};

export default config;
