import { useState, type FormEvent } from 'react';
import { ACCESS_CODE_MAX_LENGTH, USERNAME_MAX_LENGTH } from '@parley/protocol';
import { useAppState, useController, useServices } from '../AppContext.tsx';
import { participantUsername } from '../participant/participantIds.ts';

/**
 * The login form, shown inside the chat layout where the conversation would be. Opened from a
 * study link, the link names the participant: only the access code is asked, if the server wants one.
 */
export function LoginView() {
  const controller = useController();
  const { participant } = useServices();
  const configSaysCode = useAppState((s) => s.config?.accessCodeRequired ?? false);
  const [username, setUsername] = useState('');
  const [accessCode, setAccessCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // If /api/config could not be read, the server's "wrong access code" answer reveals the field.
  const [codeAsked, setCodeAsked] = useState(false);
  const showCode = configSaysCode || codeAsked;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    const problem = await controller.login(username, showCode ? accessCode : undefined);
    if (problem) {
      setError(problem);
      if (problem.includes('access code')) setCodeAsked(true);
      setBusy(false);
    }
  }

  return (
    <section className="login" aria-labelledby="login-title">
      <form className="login__card" onSubmit={submit} noValidate>
        <div className="login__logo" aria-hidden="true">
          P
        </div>
        <h2 id="login-title">Welcome to Parley</h2>
        {participant ? (
          <p className="login__intro">
            Taking part as <strong>{participantUsername(participant)}</strong>.{showCode && ' Enter the access code you were given.'}
          </p>
        ) : (
          <p className="login__intro">Choose a username to start chatting.</p>
        )}
        {!participant && (
          <label className="field">
            <span className="field__label">Username</span>
            <input
              className="field__input"
              name="username"
              autoComplete="username"
              autoFocus
              maxLength={USERNAME_MAX_LENGTH}
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              aria-invalid={error !== null}
              aria-describedby={error ? 'login-error' : undefined}
            />
          </label>
        )}
        {showCode && (
          <label className="field">
            <span className="field__label">Access code</span>
            <input
              className="field__input"
              name="accessCode"
              type="password"
              autoComplete="off"
              autoFocus={participant !== null}
              maxLength={ACCESS_CODE_MAX_LENGTH}
              value={accessCode}
              onChange={(e) => setAccessCode(e.target.value)}
              aria-invalid={error !== null}
              aria-describedby={error ? 'login-error' : undefined}
            />
          </label>
        )}
        {error && (
          <p id="login-error" className="login__error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? 'Logging in…' : participant ? 'Continue' : 'Start chatting'}
        </button>
      </form>
    </section>
  );
}
