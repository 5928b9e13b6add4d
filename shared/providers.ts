// Schemas of providers, models and provider access, shared by the admin API and the web app.
import { z } from "zod";

export const providerTypes = ["openai", "anthropic", "google", "mistral", "xai", "azure_openai", "openai_compatible", "demo"] as const;
export type ProviderTypeName = (typeof providerTypes)[number];

const name = z.string().trim().min(1).max(100);
const shortText = (max: number) => z.string().trim().max(max);
const jsonObject = z.record(z.string().max(200), z.string().max(500)).refine((o) => Object.keys(o).length <= 100, "too many entries");
const features = z.array(z.enum(["chat", "gateway", "title_generation", "prompt_enhancement"])).max(4);
const oauth = z.strictObject({
  token_url: z.url().max(500),
  client_id: z.string().trim().min(1).max(300),
  scope: z.string().trim().max(500).default("https://cognitiveservices.azure.com/.default"),
});

// Fields without defaults: an update changes only what it names (defaults belong to create).
const providerFields = {
  name,
  base_url: z.url().max(500),
  api_version: shortText(50),
  organization: shortText(200),
  /** Azure: model id → deployment name. */
  deployments: jsonObject,
  /** Extra headers sent with every call (e.g. OpenRouter's HTTP-Referer). */
  extra_params: jsonObject,
  auth_type: z.enum(["api_key", "oauth_client_credentials"]),
  oauth,
  features,
  allow_private_network: z.boolean(),
  restricted: z.boolean(),
  status: z.enum(["active", "inactive"]),
};

export const providerCreate = z.strictObject({
  ...providerFields,
  type: z.enum(providerTypes),
  base_url: providerFields.base_url.optional(),
  api_version: providerFields.api_version.optional(),
  organization: providerFields.organization.optional(),
  deployments: providerFields.deployments.default({}),
  extra_params: providerFields.extra_params.default({}),
  auth_type: providerFields.auth_type.default("api_key"),
  oauth: oauth.optional(),
  features: features.default(["chat", "gateway"]),
  allow_private_network: z.boolean().default(false),
  restricted: z.boolean().default(false),
  status: providerFields.status.default("active"),
  /** Write-only; sealed at once. */
  api_key: z.string().min(1).max(4000).optional(),
  oauth_client_secret: z.string().min(1).max(4000).optional(),
  /** Fill models from the built-in catalog (default) or start empty. */
  models_from_catalog: z.boolean().default(true),
});

export const providerUpdate = z
  .strictObject(providerFields)
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: "name at least one field to change" });

export const providerKeyInput = z.strictObject({ api_key: z.string().min(1).max(4000) });

export const provider = z.object({
  id: z.uuid(),
  type: z.enum(providerTypes),
  name: z.string(),
  base_url: z.string().nullable(),
  api_version: z.string().nullable(),
  organization: z.string().nullable(),
  deployments: z.record(z.string(), z.string()),
  extra_params: z.record(z.string(), z.string()),
  status: z.enum(["active", "inactive"]),
  auth_type: z.enum(["api_key", "oauth_client_credentials"]),
  oauth: z.record(z.string(), z.string()),
  features: z.array(z.string()),
  allow_private_network: z.boolean(),
  restricted: z.boolean(),
  key_mask: z.string().nullable(),
  last_tested_at: z.string().nullable(),
  last_test_ok: z.boolean().nullable(),
  last_test_latency_ms: z.number().nullable(),
  last_test_error: z.string().nullable(),
});
export type Provider = z.infer<typeof provider>;

const price = z.number().min(0).max(1_000_000);
const modelFields = {
  display_name: z.string().trim().min(1).max(200),
  deployment_name: z.string().trim().max(200).nullable(),
  context_window: z.number().int().min(256).max(10_000_000),
  max_output_tokens: z.number().int().min(1).max(1_000_000),
  input_price_per_mtok: price,
  output_price_per_mtok: price,
  capabilities: z.array(z.string().max(40)).max(20),
  quirks: z.strictObject({
    noTemperature: z.boolean().optional(),
    maxTokensParam: z.enum(["max_tokens", "max_completion_tokens"]).optional(),
  }),
  enabled: z.boolean(),
  is_default: z.boolean(),
  sort_order: z.number().int().min(-10_000).max(10_000),
};

export const modelCreate = z.strictObject({
  provider_id: z.uuid(),
  model_id: z.string().trim().min(1).max(200),
  display_name: modelFields.display_name.optional(),
  deployment_name: modelFields.deployment_name.optional(),
  context_window: modelFields.context_window.default(8192),
  max_output_tokens: modelFields.max_output_tokens.default(4096),
  input_price_per_mtok: price.default(0),
  output_price_per_mtok: price.default(0),
  capabilities: modelFields.capabilities.default(["chat", "streaming"]),
  quirks: modelFields.quirks.default({}),
  enabled: z.boolean().default(true),
  is_default: z.boolean().default(false),
  sort_order: modelFields.sort_order.default(0),
});

export const modelUpdate = z
  .strictObject(modelFields)
  .partial()
  .refine((v) => Object.keys(v).length > 0, { message: "name at least one field to change" });

export const accessGrant = z
  .strictObject({
    user_id: z.uuid().optional(),
    team_id: z.uuid().optional(),
    role: z.enum(["user", "manager"]).default("user"),
  })
  .refine((v) => Boolean(v.user_id) !== Boolean(v.team_id), { message: "give exactly one of user_id and team_id" });
