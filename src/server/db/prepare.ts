import { createDbState } from "@/server/db";
import { ensureCatalogues } from "./catalogues";
import { migrateDatabase, type MigrateOptions } from "./migrate";

/** Migrations, then the built-in catalogues: what every database needs before the product uses it. */
export async function prepareDatabase(url: string, opts: MigrateOptions = {}): Promise<{ applied: string[] }> {
  const result = await migrateDatabase(url, opts);
  const { db, pool } = createDbState(url, 2);
  try {
    await ensureCatalogues(db);
  } finally {
    await db.$disconnect();
    await pool.end();
  }
  return result;
}
