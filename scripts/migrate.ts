// `npm run db:migrate`: apply supabase/migrations to DATABASE_URL (no seed), with progress.
import { connect, prepareDatabase, safeUrl } from "./lib/database.ts";
import { exitWith, UserError } from "./lib/user-error.ts";

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new UserError("Set DATABASE_URL to the database to migrate (npm start migrates the embedded one itself).");
  console.log(`\u25b8 migrating ${safeUrl(url)}`);
  const sql = await connect(url);
  try {
    const { applied, skipped } = await prepareDatabase(sql, { seed: false, onProgress: (l) => console.log(`\u25b8   ${l}`) });
    console.log(`\u25b8 done: ${applied.length} applied, ${skipped} already applied`);
  } finally {
    await sql.end();
  }
}

main().catch(exitWith);
