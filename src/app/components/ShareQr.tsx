import { useMemo } from 'react';
import QRCode from 'qrcode';
import { shareUrl } from '../state/share';
import { useAppStore } from '../state/store';
import { errorMessage } from '../../solvers/errors';

/** Modules of blank border around the code, as the QR standard asks. */
const QUIET = 4;

/** The SVG path of a QR code's dark modules, one unit per module, after the quiet zone. */
function qrPath(text: string): { d: string; size: number } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  let d = '';
  for (let r = 0; r < modules.size; r++)
    for (let c = 0; c < modules.size; c++)
      if (modules.get(r, c)) d += `M${c + QUIET} ${r + QUIET}h1v1h-1z`;
  return { d, size: modules.size + 2 * QUIET };
}

/**
 * A QR code of the link to the current view (without presenter mode), so that students open the
 * same state on their phones; the link is written out beneath it too.
 */
export function ShareQr({ size }: { size: number }) {
  const config = useAppStore((s) => s.config);
  const url = shareUrl(config, window.location);
  const code = useMemo(() => {
    try {
      return qrPath(url);
    } catch (e) {
      return { error: errorMessage(e) };
    }
  }, [url]);
  return (
    <figure className="share-qr" data-testid="share-qr" data-url={url}>
      {'error' in code ? (
        <p className="readout error">No QR code for this link: {code.error}</p>
      ) : (
        <svg
          width={size}
          height={size}
          viewBox={`0 0 ${code.size} ${code.size}`}
          role="img"
          aria-label={`QR code of the link to this view: ${url}`}
          shapeRendering="crispEdges"
        >
          <rect width={code.size} height={code.size} fill="#fff" />
          <path d={code.d} fill="#000" />
        </svg>
      )}
      <figcaption>
        Scan to open this view: <span className="share-url">{url}</span>
      </figcaption>
    </figure>
  );
}
