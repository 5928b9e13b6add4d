// Which model answers and at what temperature: message > conversation > assistant > tenant
// default. Only models the caller may use are visible (RLS), so anything else is a 403.
import type { Tx } from "../_shared/db.ts";
import { AppError } from "../_shared/errors.ts";
import type { ModelQuirks } from "../_shared/providers/index.ts";

export interface ChosenModel {
  id: string;
  modelId: string;
  providerId: string;
  deploymentName: string | null;
  contextWindow: number;
  maxOutputTokens: number;
  quirks: ModelQuirks;
}

export interface Preferences {
  model?: string | null;
  temperature?: number | null;
}

const notAllowed = () =>
  new AppError("forbidden", "You may not use this model, or it does not exist.", { code: "model_not_allowed", field: "model" });

async function usable(tx: Tx, ref: string): Promise<ChosenModel | undefined> {
  const [row] = await tx<ChosenModel[]>`
    select m.id, m.model_id as "modelId", m.provider_id as "providerId", m.deployment_name as "deploymentName",
           m.context_window as "contextWindow", m.max_output_tokens as "maxOutputTokens", m.quirks
    from public.models m join public.providers p on p.id = m.provider_id
    where (m.id::text = ${ref} or m.model_id = ${ref}) and m.enabled and p.status = 'active' and 'chat' = any(p.features)
    order by (m.id::text = ${ref}) desc, m.is_default desc, m.sort_order
    limit 1`;
  return row;
}

/** The first preference that names a model wins; it must be usable, or the call is refused. */
export async function chooseModel(tx: Tx, ...layers: Preferences[]): Promise<{ model: ChosenModel; temperature: number | undefined }> {
  const named = layers.find((l) => l.model)?.model;
  let model: ChosenModel | undefined;
  if (named) {
    model = await usable(tx, named);
    if (!model) throw notAllowed();
  } else {
    const [def] = await tx<{ id: string }[]>`
      select m.id from public.models m join public.providers p on p.id = m.provider_id
      where m.is_default and m.enabled and p.status = 'active'`;
    if (def) model = await usable(tx, def.id);
    if (!model) {
      const [any] = await tx<{ n: number }[]>`select count(*)::int as n from public.models where is_default`;
      throw (any?.n ?? 0) > 0
        ? notAllowed()
        : new AppError("conflict", "No model is configured yet; ask an admin to add a provider and choose a default model.", {
            code: "no_model_configured",
          });
    }
  }
  const temperature = layers.find((l) => l.temperature !== undefined && l.temperature !== null)?.temperature ?? undefined;
  return { model, temperature };
}
