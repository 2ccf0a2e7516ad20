import { createContext, ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiClient, ApiError } from './api/api-client';

// The operator token lives in this tab's sessionStorage (gone when the tab closes) and in memory;
// it is sent only in the Authorization header, never in a URL, never logged.
const TOKEN_KEY = 'cec-console-operator-token';

interface Session {
  api: ApiClient;
  signOut: () => void;
}

const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a signed-in console');
  return session;
}

export function readStoredToken(): string | null {
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
    else window.sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage unavailable: the token stays in memory only
  }
}

/** Checks a token with a cheap authenticated read; resolves when it is accepted. */
export async function verifyToken(token: string): Promise<void> {
  await new ApiClient({ token }).get('subscription', '/v1/accounts?limit=1');
}

export function SessionProvider({
  token,
  onSignOut,
  children,
}: {
  token: string;
  onSignOut: () => void;
  children: ReactNode;
}) {
  const signOut = useCallback(() => {
    storeToken(null);
    onSignOut();
  }, [onSignOut]);
  const api = useMemo(() => new ApiClient({ token, onUnauthorized: signOut }), [token, signOut]);
  const value = useMemo(() => ({ api, signOut }), [api, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

/** Loads something from the API when `key` changes; `reload()` loads it again. */
export function useLoad<T>(load: (api: ApiClient) => Promise<T>, key: string): Loaded<T> {
  const { api } = useSession();
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    setState((previous) => ({ ...previous, loading: true }));
    load(api).then(
      (data) => current && setState({ data, loading: false }),
      (error: unknown) => current && setState({ error: asApiError(error), loading: false }),
    );
    return () => {
      current = false;
    };
    // `load` is a new closure every render; `key` says when what it loads changes
  }, [api, key, round]);
  const reload = useCallback(() => setRound((value) => value + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export interface Action {
  busy: boolean;
  error: ApiError | undefined;
  setError: (error: ApiError | undefined) => void;
  /** Runs `action` with `busy` set and the last error cleared; what it throws becomes `error`. */
  run: (action: () => Promise<void>) => Promise<void>;
}

/** An operator's action (a form's submit, a button): busy while it runs, its error as the API answered it. */
export function useAction(): Action {
  const [error, setError] = useState<ApiError | undefined>();
  const [busy, setBusy] = useState(false);
  const run = useCallback(async (action: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (caught) {
      setError(asApiError(caught));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

export function asApiError(error: unknown): ApiError {
  return error instanceof ApiError
    ? error
    : new ApiError(0, 'CONSOLE_ERROR', error instanceof Error ? error.message : String(error));
}
