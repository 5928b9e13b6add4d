// Shows whether the functions and the database answer, using the shared health schema.
import { useEffect, useState } from "react";
import { healthSchema, type Health } from "../../shared/health.ts";
import { getJson } from "./api.ts";

type State = { kind: "loading" } | { kind: "ok"; health: Health } | { kind: "down"; reason: string };

export function StatusPage() {
  const [state, setState] = useState<State>({ kind: "loading" });

  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      try {
        const { body } = await getJson<unknown>("/health");
        const parsed = healthSchema.safeParse(body);
        if (!cancelled) setState(parsed.success ? { kind: "ok", health: parsed.data } : { kind: "down", reason: "Unexpected answer" });
      } catch {
        if (!cancelled) setState({ kind: "down", reason: "The functions server does not answer" });
      }
    };
    void load();
    const timer = setInterval(load, 10_000);
    return () => {
      cancelled = true;
      clearInterval(timer);
    };
  }, []);

  return (
    <main className="shell">
      <header className="brand">
        <span className="logo" aria-hidden>A</span>
        <div>
          <h1>Atrium</h1>
          <p>Your organisation's AI workspace and LLM gateway</p>
        </div>
      </header>
      <section className="card" aria-live="polite">
        <h2>Service status</h2>
        {state.kind === "loading" && <p className="muted">Checking…</p>}
        {state.kind === "down" && <Row label="Functions" ok={false} value={state.reason} />}
        {state.kind === "ok" && (
          <>
            <Row label="Functions" ok value={`version ${state.health.version}`} />
            <Row label="Database" ok={state.health.database === "ok"} value={state.health.database} />
          </>
        )}
      </section>
    </main>
  );
}

function Row({ label, ok, value }: { label: string; ok: boolean; value: string }) {
  return (
    <div className="row">
      <span className={ok ? "dot ok" : "dot bad"} aria-hidden />
      <span className="label">{label}</span>
      <span className="value" data-testid={`status-${label.toLowerCase()}`}>{value}</span>
    </div>
  );
}
