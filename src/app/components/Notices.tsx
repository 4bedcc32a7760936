import { useShallow } from 'zustand/react/shallow';
import { dismissEngineNotice, dismissUrlErrors, dismissWorkerMessage } from '../state/actions';
import { useAppStore } from '../state/store';

/** Problems the user should know about: unreadable URL parameters, solver worker crashes. */
export function Notices() {
  const { urlErrors, worker, engineNotice } = useAppStore(
    useShallow((s) => ({ urlErrors: s.urlErrors, worker: s.worker, engineNotice: s.engineNotice })),
  );
  return (
    <div className="notices">
      {urlErrors.length > 0 && (
        <div className="notice warn" role="alert" data-testid="url-errors">
          <div>
            <p>Some of this link's settings could not be used:</p>
            <ul>
              {urlErrors.map((e, i) => (
                <li key={i}>{e}</li>
              ))}
            </ul>
            {/* useHashSync rewrites the URL as soon as it has read it. */}
            <p>
              The rest of the link was applied, and the address bar now shows the settings in use.
            </p>
          </div>
          <button type="button" onClick={dismissUrlErrors} aria-label="Dismiss URL warnings">
            Dismiss
          </button>
        </div>
      )}
      {engineNotice && (
        <div
          className={`notice ${engineNotice.level === 'info' ? '' : engineNotice.level}`}
          role={engineNotice.level === 'info' ? 'status' : 'alert'}
          data-testid="engine-notice"
          data-level={engineNotice.level}
        >
          <p>{engineNotice.text}</p>
          <button type="button" onClick={dismissEngineNotice} aria-label="Dismiss engine notice">
            Dismiss
          </button>
        </div>
      )}
      {worker.message && (
        <div
          className={`notice ${worker.state === 'crashed' ? 'error' : 'warn'}`}
          role="alert"
          data-testid="worker-notice"
          data-worker-state={worker.state}
          data-restarts={worker.restarts}
        >
          <p>{worker.message}</p>
          {worker.state === 'crashed' ? (
            <button type="button" onClick={() => window.location.reload()}>
              Reload
            </button>
          ) : (
            <button
              type="button"
              onClick={dismissWorkerMessage}
              aria-label="Dismiss worker message"
            >
              Dismiss
            </button>
          )}
        </div>
      )}
    </div>
  );
}
