import type { DashboardBody, Widget } from "./dashboard";

/**
 * An SVG preview of a dashboard body's layout: every widget at its grid position with its title and a
 * sketch of its view (line, bars, number, pie, text, alarms). Deterministic (same body, same bytes),
 * so the committed preview in docs/ is checked against the generator by a test.
 */

const COL = 48;
const ROW = 28;
const PAD = 4;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function sketch(w: Widget, x: number, y: number, width: number, height: number): string {
  const view = String(w.properties.view ?? "");
  const top = y + 26;
  const h = Math.max(8, height - 34);
  const left = x + 10;
  const right = x + width - 10;
  if (w.type === "text") {
    const md = String(w.properties.markdown ?? "");
    const heading = (/^#+\s*(.*)$/m.exec(md)?.[1] ?? "").trim();
    return (
      `<text x="${left}" y="${y + 20}" class="h">${esc(heading)}</text>` +
      `<line x1="${left}" y1="${y + 30}" x2="${right - 40}" y2="${y + 30}" class="t"/>`
    );
  }
  if (w.type === "alarm") {
    return [0, 1, 2, 3]
      .map(
        (i) =>
          `<rect x="${left + i * 120}" y="${top + 4}" width="110" height="${Math.min(22, h - 4)}" rx="3" class="${i === 1 ? "alarm" : "ok"}"/>`,
      )
      .join("");
  }
  switch (view) {
    case "singleValue":
      return `<text x="${x + width / 2}" y="${top + h / 2 + 8}" class="n" text-anchor="middle">123</text>`;
    case "bar": {
      const n = 6;
      const bw = (right - left) / n - 6;
      return Array.from({ length: n }, (_, i) => {
        const bh = h * (0.9 - i * 0.12);
        return `<rect x="${left + i * (bw + 6)}" y="${top + h - bh}" width="${bw}" height="${bh}" class="bar"/>`;
      }).join("");
    }
    case "pie": {
      const r = Math.min(h, right - left) / 2 - 2;
      const cx = x + width / 2;
      const cy = top + h / 2;
      return `<circle cx="${cx}" cy="${cy}" r="${r}" class="pie"/><path d="M${cx},${cy} L${cx},${cy - r} A${r},${r} 0 0,1 ${cx + r},${cy} Z" class="slice"/>`;
    }
    default: {
      const pts = Array.from(
        { length: 12 },
        (_, i) => `${left + (i * (right - left)) / 11},${top + h - h * (0.3 + 0.5 * Math.abs(Math.sin(i * 0.9 + width)))}`,
      ).join(" ");
      const stacked = w.properties.stacked === true ? `<polygon points="${left},${top + h} ${pts} ${right},${top + h}" class="area"/>` : "";
      return `${stacked}<polyline points="${pts}" class="line"/>`;
    }
  }
}

export function dashboardSvg(body: DashboardBody, title: string): string {
  const width = 24 * COL;
  const bottom = Math.max(...body.widgets.map((w) => w.y + w.height));
  const height = bottom * ROW + 40;
  const parts = body.widgets.map((w) => {
    const x = w.x * COL + PAD;
    const y = w.y * ROW + 36 + PAD;
    const ww = w.width * COL - 2 * PAD;
    const hh = w.height * ROW - 2 * PAD;
    const label = w.type === "text" ? "" : `<text x="${x + 8}" y="${y + 16}" class="w">${esc(String(w.properties.title ?? ""))}</text>`;
    return `<g><rect x="${x}" y="${y}" width="${ww}" height="${hh}" rx="4" class="${w.type === "text" ? "text" : "widget"}"/>${label}${sketch(w, x, y, ww, hh)}</g>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif">`,
    "<style>",
    ".widget{fill:#fff;stroke:#c9ccd1}.text{fill:#f4f6f8;stroke:none}.w{font-size:12px;fill:#16191f;font-weight:bold}.h{font-size:14px;fill:#16191f;font-weight:bold}",
    ".t{stroke:#c9ccd1}.n{font-size:28px;fill:#0972d3}.bar{fill:#0972d3;opacity:.75}.line{fill:none;stroke:#0972d3;stroke-width:2}.area{fill:#0972d3;opacity:.15}",
    ".pie{fill:#9ec5f0}.slice{fill:#0972d3}.ok{fill:#d1efd8}.alarm{fill:#f8d1cf}.title{font-size:18px;font-weight:bold;fill:#16191f}",
    "</style>",
    `<rect width="${width}" height="${height}" fill="#e9ebed"/>`,
    `<text x="8" y="26" class="title">${esc(title)}</text>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
