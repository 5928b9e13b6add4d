// Edge entry point of the auth function (Supabase runs this file).
import { serve } from "../_shared/deno-entry.ts";
import { app } from "./app.ts";

serve(app);
