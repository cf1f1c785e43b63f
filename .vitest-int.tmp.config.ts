import { defineConfig } from "vitest/config";
import { fileURLToPath } from "node:url";
const alias = { "@": fileURLToPath(new URL("./src", import.meta.url)) };
export default defineConfig({ resolve: { alias }, test: { include: ["test/integration/embedded-*.test.ts", "test/integration/health.test.ts"], environment: "node", testTimeout: 60_000, hookTimeout: 120_000 } });
