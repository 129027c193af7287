// What a single-page front end does with the generated client. Only type-checked (`npm run
// check`): it proves the generated types describe every operation precisely enough to build on.
import { createClient } from './client';
import {
  ApproveAuthorizationDocument,
  AuthorizationRequestDocument,
  CreateAppDocument,
  DenyAuthorizationDocument,
  MarketplaceAppsDocument,
  SignInDocument,
  SubmitAppForReviewDocument,
  ViewerAppsDocument,
  type AppStatus,
  type AuthorizationInput,
  type MarketplaceAppsQuery,
  type UserErrorCode,
  type ViewerAppsQuery,
} from './generated/graphql';

let session: string | null = null;
const api = createClient('/graphql', () => session);

interface FieldError {
  field: string | null;
  code: UserErrorCode;
  message: string;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export async function signIn(email: string, password: string): Promise<Outcome<string>> {
  const { signIn } = await api.request(SignInDocument, { email, password });
  if (signIn.session === null) return { ok: false, errors: signIn.userErrors };
  session = signIn.session.token;
  return { ok: true, value: signIn.user?.company.name ?? '' };
}

/** Every app of the viewer's company, following the cursor one page at a time. */
export async function allApps(status?: AppStatus): Promise<{ id: string; name: string }[]> {
  const apps: { id: string; name: string }[] = [];
  let after: string | null = null;
  for (;;) {
    const page: ViewerAppsQuery = await api.request(ViewerAppsDocument, {
      first: 100,
      after,
      status: status ?? null,
    });
    apps.push(...page.apps.edges.map(({ node }) => ({ id: node.id, name: node.name })));
    if (!page.apps.pageInfo.hasNextPage) return apps;
    after = page.apps.pageInfo.endCursor;
  }
}

export function statusLabel(status: AppStatus): string {
  switch (status) {
    case 'DRAFT':
      return 'Draft';
    case 'IN_REVIEW':
      return 'In review';
    case 'APPROVED':
      return 'Approved';
    case 'PUBLISHED':
      return 'Published';
    case 'LIVE':
      return 'Live';
    default:
      // A status added to the schema after this client was built.
      return 'Unknown';
  }
}

/** The client secret is shown once, here: the caller must show it now. */
export async function createApp(name: string, callbackUrl: string): Promise<Outcome<string>> {
  const { createApp } = await api.request(CreateAppDocument, {
    input: { type: 'PUBLIC', name, callbackUrl },
  });
  if (createApp.app === null || createApp.clientSecret === null) {
    return { ok: false, errors: createApp.userErrors };
  }
  return { ok: true, value: createApp.clientSecret };
}

export async function submitForReview(appId: string): Promise<Outcome<string[]>> {
  const { submitAppForReview: result } = await api.request(SubmitAppForReviewDocument, {
    id: appId,
  });
  if (result.submission === null) return { ok: false, errors: result.userErrors };
  const failed = result.submission.checks.filter((check) => !check.passed);
  return { ok: true, value: failed.map((check) => `${check.id}: ${check.message}`) };
}

export type Listing = MarketplaceAppsQuery['marketplaceApps']['edges'][number]['node'];

export async function marketplacePage(
  search: string,
  after: string | null,
): Promise<{ listings: Listing[]; next: string | null; categories: string[] }> {
  const { marketplaceApps, categories } = await api.request(MarketplaceAppsDocument, {
    search,
    after,
    sort: 'INSTALLATIONS',
  });
  return {
    listings: marketplaceApps.edges.map((edge) => edge.node),
    next: marketplaceApps.pageInfo.hasNextPage ? marketplaceApps.pageInfo.endCursor : null,
    categories: categories.map((category) => category.label),
  };
}

/** The consent screen, given the query string /oauth/authorize redirected with. */
export async function consent(query: URLSearchParams, allow: boolean): Promise<string | null> {
  const input: AuthorizationInput = {
    clientId: query.get('client_id') ?? '',
    redirectUri: query.get('redirect_uri'), // absent: the app's one callback URL
    state: query.get('state'),
    codeChallenge: query.get('code_challenge'),
    codeChallengeMethod: query.get('code_challenge_method'),
  };
  const { authorizationRequest: request } = await api.request(AuthorizationRequestDocument, input);
  if (allow && !request.canInstall) return null;
  const scopes: string[] = request.scopes.map((scope) => scope.label);
  console.info(`${request.app.name} by ${request.app.developerName} asks for ${scopes.join(', ')}`);
  const answer = allow
    ? (await api.request(ApproveAuthorizationDocument, { input })).approveAuthorization
    : (await api.request(DenyAuthorizationDocument, { input })).denyAuthorization;
  return answer.redirectUrl;
}

// The lines below must not compile: each proves one thing the generated types know. If a
// type were too loose (`any`, an optional field that is required...), tsc would report the
// `@ts-expect-error` as unused and the check would fail.
export async function mistakesTheTypesCatch(): Promise<void> {
  // @ts-expect-error createApp requires a callbackUrl
  await api.request(CreateAppDocument, { input: { type: 'PUBLIC', name: 'No callback' } });
  // @ts-expect-error AppType has no SHARED value
  await api.request(CreateAppDocument, { input: { type: 'SHARED', name: 'x', callbackUrl: 'x' } });
  // @ts-expect-error MarketplaceSort has no POPULAR value
  await api.request(MarketplaceAppsDocument, { sort: 'POPULAR' });
  const { signIn } = await api.request(SignInDocument, { email: 'a@example.com', password: 'p' });
  // @ts-expect-error the session is null when sign-in failed
  const token: string = signIn.session.token;
  // @ts-expect-error the operation does not select the user's email
  const email: string = signIn.user?.email ?? '';
  // @ts-expect-error an error code is one of the schema's UserErrorCode values, not any string
  const code: (typeof signIn.userErrors)[number]['code'] = 'NOT_A_CODE';
  void [token, email, code];
}
