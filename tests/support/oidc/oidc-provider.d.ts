// Minimal ambient typings for the parts of `oidc-provider` (v9, untyped on npm) that the test
// harness in tests/support/oidc-provider.ts uses. Not a complete description of the library.
// This file must stay a script (no top-level import/export) so that it declares the module.
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";
  import type { JWK } from "jose";

  export type CanBePromise<T> = T | Promise<T>;

  export interface AccountClaims {
    sub: string;
    [claim: string]: unknown;
  }

  export interface Account {
    accountId: string;
    claims(
      use: "id_token" | "userinfo" | string,
      scope: string,
      claims: Record<string, unknown>,
      rejected: string[],
    ): CanBePromise<AccountClaims>;
  }

  /** Koa context extended by oidc-provider; only what the harness reads. */
  export interface KoaContextWithOIDC {
    oidc: { route: string };
    [key: string]: unknown;
  }

  export interface ClientMetadata {
    client_id: string;
    client_secret?: string;
    redirect_uris?: string[];
    post_logout_redirect_uris?: string[];
    token_endpoint_auth_method?: string;
    grant_types?: string[];
    response_types?: string[];
    id_token_signed_response_alg?: string;
    application_type?: "web" | "native";
    [key: string]: unknown;
  }

  export interface Client {
    clientId: string;
    redirectUris: string[];
  }

  export interface PromptDetail {
    name: "login" | "consent" | string;
    reasons: string[];
    details: {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
      [key: string]: unknown;
    };
  }

  export interface InteractionResults {
    login?: { accountId: string; remember?: boolean; ts?: number; amr?: string[]; acr?: string };
    consent?: { grantId?: string };
    error?: string;
    error_description?: string;
    [key: string]: unknown;
  }

  export interface Interaction {
    readonly uid: string;
    readonly jti: string;
    prompt: PromptDetail;
    params: Record<string, unknown>;
    grantId?: string;
    session?: { accountId?: string; uid?: string; cookie?: string };
    returnTo: string;
    lastSubmission?: InteractionResults;
  }

  export interface Grant {
    accountId: string;
    clientId: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(indicator: string, scope: string): void;
    save(ttl?: number): Promise<string>;
  }

  export interface GrantConstructor {
    new (properties: { accountId: string; clientId: string }): Grant;
    find(id: string): Promise<Grant | undefined>;
  }

  export interface Configuration {
    clients?: ClientMetadata[];
    clientDefaults?: Partial<ClientMetadata>;
    findAccount?: (ctx: KoaContextWithOIDC, sub: string, token?: unknown) => CanBePromise<Account | undefined>;
    claims?: Record<string, string[] | null>;
    scopes?: string[];
    responseTypes?: string[];
    conformIdTokenClaims?: boolean;
    clientBasedCORS?: (ctx: KoaContextWithOIDC, origin: string, client: Client) => boolean;
    cookies?: {
      names?: { session?: string; interaction?: string; resume?: string };
      long?: Record<string, unknown>;
      short?: Record<string, unknown>;
      keys?: string[];
    };
    jwks?: { keys: JWK[] };
    pkce?: { required?: (ctx: KoaContextWithOIDC, client: Client) => boolean };
    interactions?: {
      url?: (ctx: KoaContextWithOIDC, interaction: Interaction) => CanBePromise<string>;
    };
    features?: Record<string, { enabled?: boolean; [key: string]: unknown }>;
    ttl?: Record<string, number | ((...args: unknown[]) => number)>;
    adapter?: (model: string) => unknown;
    renderError?: (ctx: KoaContextWithOIDC, out: Record<string, unknown>, error: Error) => CanBePromise<void>;
    [key: string]: unknown;
  }

  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    readonly Grant: GrantConstructor;
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    on(event: string, listener: (...args: unknown[]) => void): this;
    off(event: string, listener: (...args: unknown[]) => void): this;
  }

  export default Provider;
}
