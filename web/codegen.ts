import type { CodegenConfig } from "@graphql-codegen/cli";
import { addTypenameSelectionDocumentTransform } from "@graphql-codegen/client-preset";

// Typed operations from the gateway's schema; `persistedDocuments` also writes
// src/gql/persisted-documents.json, the manifest the gateway's trusted-documents mode reads. The app sends
// only the hashes, so the documents carry the `__typename`s its normalised cache (graphcache) needs.
const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["src/**/*.ts", "src/**/*.tsx", "!src/gql/**/*"],
  generates: {
    "./src/gql/": {
      preset: "client",
      presetConfig: { persistedDocuments: { hashAlgorithm: "sha256" }, fragmentMasking: false },
      documentTransforms: [addTypenameSelectionDocumentTransform],
      config: { enumsAsTypes: true, scalars: { DateTime: "string", Date: "string" } },
    },
  },
};

export default config;
