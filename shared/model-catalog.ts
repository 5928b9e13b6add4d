// Well-known models per provider type, used to fill a new provider's model list. Prices are
// USD per million tokens as published when this file was last updated; every value is the
// tenant's to edit afterwards (admin models endpoints), and usage costs use the tenant's copy.
export interface CatalogModel {
  model_id: string;
  display_name: string;
  context_window: number;
  max_output_tokens: number;
  input_price_per_mtok: number;
  output_price_per_mtok: number;
  capabilities: string[];
  /** Parameter quirks the adapter applies (see functions/_shared/providers). */
  quirks?: { noTemperature?: boolean; maxTokensParam?: "max_tokens" | "max_completion_tokens" };
}

const chat = ["chat", "streaming"];
const vision = ["chat", "streaming", "vision"];
const reasoning = { noTemperature: true, maxTokensParam: "max_completion_tokens" as const };

export const modelCatalog: Record<string, CatalogModel[]> = {
  openai: [
    { model_id: "gpt-5", display_name: "GPT-5", context_window: 400_000, max_output_tokens: 128_000, input_price_per_mtok: 1.25, output_price_per_mtok: 10, capabilities: vision, quirks: reasoning },
    { model_id: "gpt-5-mini", display_name: "GPT-5 mini", context_window: 400_000, max_output_tokens: 128_000, input_price_per_mtok: 0.25, output_price_per_mtok: 2, capabilities: vision, quirks: reasoning },
    { model_id: "gpt-4.1", display_name: "GPT-4.1", context_window: 1_047_576, max_output_tokens: 32_768, input_price_per_mtok: 2, output_price_per_mtok: 8, capabilities: vision },
    { model_id: "gpt-4.1-mini", display_name: "GPT-4.1 mini", context_window: 1_047_576, max_output_tokens: 32_768, input_price_per_mtok: 0.4, output_price_per_mtok: 1.6, capabilities: vision },
    { model_id: "gpt-4o", display_name: "GPT-4o", context_window: 128_000, max_output_tokens: 16_384, input_price_per_mtok: 2.5, output_price_per_mtok: 10, capabilities: vision },
    { model_id: "gpt-4o-mini", display_name: "GPT-4o mini", context_window: 128_000, max_output_tokens: 16_384, input_price_per_mtok: 0.15, output_price_per_mtok: 0.6, capabilities: vision },
    { model_id: "o3", display_name: "o3", context_window: 200_000, max_output_tokens: 100_000, input_price_per_mtok: 2, output_price_per_mtok: 8, capabilities: chat, quirks: reasoning },
    { model_id: "o4-mini", display_name: "o4-mini", context_window: 200_000, max_output_tokens: 100_000, input_price_per_mtok: 1.1, output_price_per_mtok: 4.4, capabilities: chat, quirks: reasoning },
  ],
  anthropic: [
    { model_id: "claude-opus-4-6", display_name: "Claude Opus 4.6", context_window: 200_000, max_output_tokens: 32_000, input_price_per_mtok: 5, output_price_per_mtok: 25, capabilities: vision },
    { model_id: "claude-sonnet-4-5", display_name: "Claude Sonnet 4.5", context_window: 200_000, max_output_tokens: 64_000, input_price_per_mtok: 3, output_price_per_mtok: 15, capabilities: vision },
    { model_id: "claude-haiku-4-5", display_name: "Claude Haiku 4.5", context_window: 200_000, max_output_tokens: 64_000, input_price_per_mtok: 1, output_price_per_mtok: 5, capabilities: vision },
  ],
  google: [
    { model_id: "gemini-2.5-pro", display_name: "Gemini 2.5 Pro", context_window: 1_048_576, max_output_tokens: 65_536, input_price_per_mtok: 1.25, output_price_per_mtok: 10, capabilities: vision },
    { model_id: "gemini-2.5-flash", display_name: "Gemini 2.5 Flash", context_window: 1_048_576, max_output_tokens: 65_536, input_price_per_mtok: 0.3, output_price_per_mtok: 2.5, capabilities: vision },
    { model_id: "gemini-2.5-flash-lite", display_name: "Gemini 2.5 Flash-Lite", context_window: 1_048_576, max_output_tokens: 65_536, input_price_per_mtok: 0.1, output_price_per_mtok: 0.4, capabilities: vision },
  ],
  mistral: [
    { model_id: "mistral-large-latest", display_name: "Mistral Large", context_window: 128_000, max_output_tokens: 8_192, input_price_per_mtok: 2, output_price_per_mtok: 6, capabilities: chat },
    { model_id: "mistral-medium-latest", display_name: "Mistral Medium", context_window: 128_000, max_output_tokens: 8_192, input_price_per_mtok: 0.4, output_price_per_mtok: 2, capabilities: vision },
    { model_id: "mistral-small-latest", display_name: "Mistral Small", context_window: 128_000, max_output_tokens: 8_192, input_price_per_mtok: 0.1, output_price_per_mtok: 0.3, capabilities: chat },
  ],
  xai: [
    { model_id: "grok-4", display_name: "Grok 4", context_window: 256_000, max_output_tokens: 32_768, input_price_per_mtok: 3, output_price_per_mtok: 15, capabilities: vision },
    { model_id: "grok-3-mini", display_name: "Grok 3 mini", context_window: 131_072, max_output_tokens: 16_384, input_price_per_mtok: 0.3, output_price_per_mtok: 0.5, capabilities: chat },
  ],
  // Azure OpenAI and OpenAI-compatible servers name their own deployments and models.
  azure_openai: [],
  openai_compatible: [],
  demo: [
    { model_id: "atrium-demo", display_name: "Demo model (offline)", context_window: 8_192, max_output_tokens: 1_024, input_price_per_mtok: 0, output_price_per_mtok: 0, capabilities: chat },
  ],
};

/** The default base URL of each provider type; Azure and compatible servers need their own. */
export const defaultBaseUrls: Record<string, string | undefined> = {
  openai: "https://api.openai.com/v1",
  anthropic: "https://api.anthropic.com",
  google: "https://generativelanguage.googleapis.com",
  mistral: "https://api.mistral.ai/v1",
  xai: "https://api.x.ai/v1",
};
