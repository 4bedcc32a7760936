/**
 * The header's tools: copy the link to this view, enter or leave presenter mode, and in presenter
 * mode full screen and the QR code of the link.
 */
import { useEffect, useState } from 'react';
import { setPresent } from '../state/classroomActions';
import { shareUrl } from '../state/share';
import { useAppStore } from '../state/store';
import { errorMessage } from '../../solvers/errors';
import { ShareQr } from './ShareQr';

/** Copies the link to the current view (without presenter mode); shows it to copy by hand if that fails. */
export function CopyLinkButton() {
  const [state, setState] = useState<{ ok: boolean; text: string; url?: string } | null>(null);
  const copy = async () => {
    const url = shareUrl(useAppStore.getState().config, window.location);
    try {
      await navigator.clipboard.writeText(url);
      setState({ ok: true, text: 'Link copied.' });
    } catch (e) {
      setState({
        ok: false,
        text: `Copying failed (${errorMessage(e)}); select the link and copy it:`,
        url,
      });
    }
  };
  return (
    <div className="copy-link">
      <button type="button" onClick={() => void copy()} data-testid="copy-link">
        Copy link
      </button>
      <span className="copy-status" role="status" aria-live="polite" data-testid="copy-status">
        {state?.text}
      </span>
      {state && !state.ok && state.url && (
        <input
          className="copy-fallback"
          readOnly
          value={state.url}
          aria-label="Link to this view"
          onFocus={(e) => e.target.select()}
        />
      )}
    </div>
  );
}

export function PresentButton() {
  return (
    <button
      type="button"
      className="present-button"
      data-testid="present-on"
      title="Large type, the plot filling the screen, and a QR code of this view for students"
      onClick={() => setPresent(true)}
    >
      Present
    </button>
  );
}

/** Full screen, the QR code, and the way out of presenter mode. */
export function PresenterBar() {
  const [full, setFull] = useState(() => document.fullscreenElement !== null);
  const [qr, setQr] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const on = () => setFull(document.fullscreenElement !== null);
    document.addEventListener('fullscreenchange', on);
    return () => document.removeEventListener('fullscreenchange', on);
  }, []);
  const toggleFull = async () => {
    setError(null);
    try {
      if (document.fullscreenElement) await document.exitFullscreen();
      else await document.documentElement.requestFullscreen();
    } catch (e) {
      setError(`Full screen is not available here (${errorMessage(e)}).`);
    }
  };
  const exit = () => {
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    setPresent(false);
  };
  return (
    <div className="presenter-bar" role="group" aria-label="Presenter mode">
      {document.fullscreenEnabled && (
        <button
          type="button"
          onClick={() => void toggleFull()}
          aria-pressed={full}
          data-testid="fullscreen"
        >
          {full ? 'Leave full screen' : 'Full screen'}
        </button>
      )}
      <button
        type="button"
        aria-expanded={qr}
        onClick={() => setQr((q) => !q)}
        data-testid="qr-toggle"
      >
        {qr ? 'Hide QR code' : 'QR code'}
      </button>
      <button type="button" onClick={exit} data-testid="present-off">
        Exit presenter mode
      </button>
      {error && (
        <span className="readout error" role="alert">
          {error}
        </span>
      )}
      {qr && (
        <div className="qr-popover" data-testid="qr-popover">
          <ShareQr size={360} />
        </div>
      )}
    </div>
  );
}
