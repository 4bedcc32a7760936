import { setPanel } from '../state/actions';
import type { PanelName } from '../state/schema';
import { PANEL_INFO } from './PanelNav';

/** A panel that is planned but not built yet: says so plainly. */
export function Placeholder({ panel }: { panel: PanelName }) {
  const info = PANEL_INFO[panel];
  return (
    <section className="placeholder" data-testid={`placeholder-${panel}`}>
      <h2>{info.title}: coming soon</h2>
      <p>{info.blurb}</p>
      <p>This panel is not available yet.</p>
      <button type="button" onClick={() => setPanel('geometry')}>
        Go to the Geometry panel
      </button>
    </section>
  );
}
