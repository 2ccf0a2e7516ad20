import { FormEvent, useState } from 'react';
import { ErrorBox } from '../components/common';
import { useAction, verifyToken } from '../session';

/** Sign-in: the operator token (OPERATOR_TOKENS, or the `.operator-token` file `npm start` writes). */
export function SignInPage({ onSignedIn }: { onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState('');
  const { busy, error, run } = useAction();

  async function submit(event: FormEvent): Promise<void> {
    event.preventDefault();
    const value = token.trim();
    if (!value) return;
    await run(async () => {
      await verifyToken(value);
      onSignedIn(value);
    });
  }

  return (
    <main className="sign-in">
      <h1>CEC billing console</h1>
      <form onSubmit={submit} className="card">
        <label htmlFor="token">Operator token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          value={token}
          onChange={(event) => setToken(event.target.value)}
          placeholder="the token of OPERATOR_TOKENS or .operator-token"
        />
        <button type="submit" disabled={busy || !token.trim()}>
          Sign in
        </button>
        <ErrorBox error={error} />
        <p className="muted">
          The token stays in this tab (sessionStorage), sent only as an <code>Authorization: Bearer</code> header.
        </p>
      </form>
    </main>
  );
}
