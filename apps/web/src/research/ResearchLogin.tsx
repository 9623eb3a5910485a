import { useState, type FormEvent } from 'react';
import { ApiError } from '../api/client.ts';
import { useResearch } from './ResearchContext.tsx';

function loginProblem(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Logging in failed. Please try again.';
  if (error.code === 'unauthorized') return 'That password is not right.';
  if (error.code === 'rate_limited') return 'Too many attempts. Please wait a minute and try again.';
  return error.message; // researcher_disabled explains itself (the operator has set no password)
}

/** The researcher password form. Its session is separate from any participant's. */
export function ResearchLogin({ notice, onLoggedIn }: { notice: string | null; onLoggedIn: () => void }) {
  const { api } = useResearch();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    if (!password) return setError('Enter the password.');
    setBusy(true);
    setError(null);
    try {
      await api.login(password);
      onLoggedIn();
    } catch (err) {
      setError(loginProblem(err));
      setBusy(false);
    }
  }

  const message = error ?? notice;
  return (
    <section className="research-login" aria-labelledby="research-login-title">
      <form className="login__card" onSubmit={submit} noValidate>
        <h2 id="research-login-title">Researcher login</h2>
        <p className="login__intro">The dashboard, the conversations and the data export of this Parley server.</p>
        <label className="field">
          <span className="field__label">Password</span>
          <input
            className="field__input"
            type="password"
            name="password"
            autoComplete="current-password"
            autoFocus
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={error !== null}
            aria-describedby={message ? 'research-login-error' : undefined}
          />
        </label>
        {message && (
          <p id="research-login-error" className="login__error" role="alert">
            {message}
          </p>
        )}
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </section>
  );
}
