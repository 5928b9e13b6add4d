// The web app's only way to the server: the functions' HTTP API, same origin locally or
// VITE_SUPABASE_URL when the bundle is hosted elsewhere.
const base = `${(import.meta.env.VITE_SUPABASE_URL as string | undefined) ?? ""}/functions/v1`;

export async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, { headers: { accept: "application/json" } });
  return { status: res.status, body: (await res.json()) as T };
}
