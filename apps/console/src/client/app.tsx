import { useCallback, useState } from 'react';
import { BrowserRouter, Navigate, NavLink, Route, Routes } from 'react-router';
import { AccountPage } from './pages/account-page';
import { AccountsPage } from './pages/accounts-page';
import { BillPage } from './pages/bill-page';
import { ClockPage } from './pages/clock-page';
import { DeadLettersPage } from './pages/dead-letters-page';
import { RunPage } from './pages/run-page';
import { RunsPage } from './pages/runs-page';
import { SignInPage } from './pages/sign-in-page';
import { readStoredToken, SessionProvider, storeToken, useSession } from './session';

export function App() {
  const [token, setToken] = useState<string | null>(readStoredToken);
  const signedIn = useCallback((value: string) => {
    storeToken(value);
    setToken(value);
  }, []);
  const signedOut = useCallback(() => setToken(null), []);

  if (!token) return <SignInPage onSignedIn={signedIn} />;
  return (
    <SessionProvider token={token} onSignOut={signedOut}>
      <BrowserRouter>
        <Shell />
      </BrowserRouter>
    </SessionProvider>
  );
}

function Shell() {
  const { signOut } = useSession();
  return (
    <>
      <nav className="top">
        <span className="brand">CEC billing console</span>
        <NavLink to="/accounts">Accounts</NavLink>
        <NavLink to="/runs">Billing runs</NavLink>
        <NavLink to="/dead-letters">Dead letters</NavLink>
        <NavLink to="/clock">Test clock</NavLink>
        <button className="sign-out" onClick={signOut}>
          Sign out
        </button>
      </nav>
      <main>
        <Routes>
          <Route path="/" element={<Navigate to="/accounts" replace />} />
          <Route path="/accounts" element={<AccountsPage />} />
          <Route path="/accounts/:id" element={<AccountPage />} />
          <Route path="/bills/:id" element={<BillPage />} />
          <Route path="/runs" element={<RunsPage />} />
          <Route path="/runs/:id" element={<RunPage />} />
          <Route path="/dead-letters" element={<DeadLettersPage />} />
          <Route path="/clock" element={<ClockPage />} />
          <Route
            path="*"
            element={
              <p>
                Nothing here. <NavLink to="/accounts">Accounts</NavLink>
              </p>
            }
          />
        </Routes>
      </main>
    </>
  );
}
