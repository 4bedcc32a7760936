/**
 * Exports of a run: the curves as CSV (every epoch record) and as the experiment JSON (the CLI's
 * shape, report.ts), and the charts as one SVG (the four charts and a legend) or a PNG of it.
 */
import { METHOD_INFO, type LabMethod } from '../../../solvers/learn/lab/methods';
import { CHART_H, CHART_W, type StreamChart } from './chart';
import { methodColor, SPLIT_DASH } from './Charts';

/** Starts a download of `blob` as `name`. */
export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const escape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const LEGEND_H = 44;

/** The four charts in a 2 × 2 grid under a legend, as one standalone SVG document. */
export function chartsSvg(charts: StreamChart[], methods: LabMethod[], title: string): string {
  const W = 2 * CHART_W;
  const H = LEGEND_H + 2 * CHART_H;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, Arial, sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="12" y="17" font-size="13" font-weight="600" fill="#1d2330">${escape(title)}</text>`,
  ];
  let x = 12;
  for (const m of methods) {
    parts.push(
      `<line x1="${x}" y1="33" x2="${x + 18}" y2="33" stroke="${methodColor(m)}" stroke-width="2.5"/>`,
      `<text x="${x + 22}" y="37" fill="#1d2330">${escape(METHOD_INFO[m].label)}</text>`,
    );
    x += 36 + 6.8 * METHOD_INFO[m].label.length;
  }
  for (const [split, dash] of Object.entries(SPLIT_DASH)) {
    parts.push(
      `<line x1="${x}" y1="33" x2="${x + 18}" y2="33" stroke="#5b6474" stroke-width="1.5"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`,
      `<text x="${x + 22}" y="37" fill="#5b6474">${split}</text>`,
    );
    x += 60;
  }
  charts.forEach((c, i) => {
    const inner = c
      .markup()
      .replace(/^<svg[^>]*>/, '')
      .replace(/<\/svg>\s*$/, '');
    const tx = (i % 2) * CHART_W;
    const ty = LEGEND_H + Math.floor(i / 2) * CHART_H;
    parts.push(`<g transform="translate(${tx},${ty})">${inner}</g>`);
  });
  parts.push('</svg>');
  return parts.join('');
}

/** The SVG drawn onto a canvas at twice its size, as a PNG. */
export function svgToPng(svg: string): Promise<Blob> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
    img.onload = () => {
      try {
        const scale = 2;
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth * scale;
        canvas.height = img.naturalHeight * scale;
        const ctx = canvas.getContext('2d');
        if (!ctx) throw new Error('no 2-D canvas in this browser');
        ctx.scale(scale, scale);
        ctx.drawImage(img, 0, 0);
        canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the PNG could not be made'))));
      } catch (e) {
        reject(e);
      } finally {
        URL.revokeObjectURL(url);
      }
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      reject(new Error('the SVG could not be drawn'));
    };
    img.src = url;
  });
}
