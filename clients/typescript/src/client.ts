// The whole transport: POST one typed document as JSON, as the service requires.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export interface GraphQLError {
  message: string;
  extensions?: { code?: string; requestId?: string };
}

/** A response with `errors` (UNAUTHENTICATED, FORBIDDEN, a validation failure...). */
export class GraphQLRequestError extends Error {
  constructor(readonly errors: readonly GraphQLError[]) {
    super(errors.map((error) => error.extensions?.code ?? error.message).join(', '));
  }
}

export interface Client {
  request<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
  ): Promise<TData>;
}

/** `endpoint` is `/graphql` for an SPA served beside the API; `token` comes from `signIn`. */
export function createClient(endpoint: string, token: () => string | null = () => null): Client {
  return {
    async request<TData, TVariables>(
      document: TypedDocumentNode<TData, TVariables>,
      variables: TVariables,
    ): Promise<TData> {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const bearer = token();
      if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
      const response = await fetch(endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: print(document), variables }),
      });
      const body = (await response.json()) as { data?: unknown; errors?: GraphQLError[] };
      if (body.errors !== undefined && body.errors.length > 0) {
        throw new GraphQLRequestError(body.errors);
      }
      // The generated document type is the only claim on the shape of `data`.
      return body.data as TData;
    },
  };
}
