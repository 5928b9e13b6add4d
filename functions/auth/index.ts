// Edge entry point: configure from the environment once, then serve the app.
import { configure } from "../_shared/config.ts";
import { app } from "./app.ts";

configure(Deno.env.toObject());
Deno.serve(app.fetch);
