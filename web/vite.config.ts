// The static web bundle; `npm run build` writes web/dist, which `npm start` serves at /.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  root: "web",
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true },
  server: { proxy: { "/functions/v1": "http://127.0.0.1:54321" } },
});
