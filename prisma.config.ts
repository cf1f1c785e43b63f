import { defineConfig } from "prisma/config";

// Prisma 7 reads the connection URL here, not from schema.prisma. Only `prisma generate` and Studio use
// this file: migrations are applied by our own migrator (src/server/db/migrate.ts), see ARCHITECTURE.md.
export default defineConfig({
  schema: "prisma/schema.prisma",
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/ecomate" },
});
