/**
 * Browser cases for issue 11, "Ready for the classroom": the layout from 320 px to 1920 px and
 * presenter mode, plots that never lose a point, the ADMM step-through, citations and the glossary,
 * the QR code, copy link and seed, offline after the first visit, axe-core, and the
 * Content-Security-Policy. Each case opens its own browser context at its own size and fails on any
 * console error or policy violation in it. Called from run.mjs.
 */
import { accessCases } from './classroom-access.mjs';
import { layoutCases } from './classroom-layout.mjs';
import { plotCases } from './classroom-plots.mjs';

export async function classroomCases({ page, named, url }) {
  await layoutCases({ page, named, url });
  await plotCases({ page, named, url });
  await accessCases({ page, named, url });
}
