import { css } from './css-tag.js';

/** The page's frame: light and dark schemes, header and live status, headings, cards and KPI tiles. */
export const DASHBOARD_LAYOUT_CSS = css`
  :root {
    --bg: #f4f5f7;
    --card: #ffffff;
    --text: #1b1f24;
    --muted: #687280;
    --line: #e3e6ea;
    --accent: #e8590c;
    --accent-soft: #fff1e8;
    --ok: #1f9d55;
    --warn: #c27803;
    --bad: #d92d20;
    --bar: #f3a56f;
    --shadow: 0 1px 2px rgba(16, 24, 40, 0.06), 0 1px 3px rgba(16, 24, 40, 0.08);
    color-scheme: light dark;
  }
  @media (prefers-color-scheme: dark) {
    :root {
      --bg: #0e1116;
      --card: #161b22;
      --text: #e6e9ee;
      --muted: #8d96a3;
      --line: #272e38;
      --accent: #ff8a3d;
      --accent-soft: #2a1c12;
      --bar: #b4541a;
      --shadow: none;
    }
  }
  * {
    box-sizing: border-box;
  }
  body {
    margin: 0;
    background: var(--bg);
    color: var(--text);
    font:
      14px/1.45 system-ui,
      -apple-system,
      'Segoe UI',
      Roboto,
      sans-serif;
    font-variant-numeric: tabular-nums;
  }
  header.top {
    position: sticky;
    top: 0;
    z-index: 1;
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 12px;
    padding: 12px 24px;
    background: var(--card);
    border-bottom: 1px solid var(--line);
  }
  .brand {
    display: flex;
    align-items: baseline;
    gap: 10px;
    min-width: 0;
  }
  .brand h1 {
    margin: 0;
    font-size: 18px;
    letter-spacing: -0.01em;
  }
  .logo {
    color: var(--accent);
    font-size: 18px;
  }
  .source {
    color: var(--muted);
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .status {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 4px 10px;
    border-radius: 999px;
    background: var(--bg);
    color: var(--muted);
    white-space: nowrap;
    font-size: 13px;
  }
  .dot {
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--muted);
  }
  .status[data-state='live'] .dot {
    background: var(--ok);
    box-shadow: 0 0 0 3px color-mix(in srgb, var(--ok) 25%, transparent);
  }
  .status[data-state='stale'] .dot,
  .status[data-state='reconnecting'] .dot {
    background: var(--warn);
  }
  main {
    max-width: 1240px;
    margin: 0 auto;
    padding: 20px 24px 32px;
  }
  h2 {
    margin: 28px 0 12px;
    font-size: 15px;
    font-weight: 600;
    text-transform: uppercase;
    letter-spacing: 0.06em;
    color: var(--muted);
  }
  h2 .count {
    margin-left: 6px;
    font-weight: 500;
  }
  .kpis {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(170px, 1fr));
    gap: 12px;
  }
  .card {
    background: var(--card);
    border: 1px solid var(--line);
    border-radius: 10px;
    box-shadow: var(--shadow);
  }
  .kpi {
    position: relative;
    padding: 14px 16px;
    overflow: hidden;
  }
  .kpi .label {
    color: var(--muted);
    font-size: 12px;
    text-transform: uppercase;
    letter-spacing: 0.05em;
  }
  .kpi .value {
    margin-top: 4px;
    font-size: 26px;
    font-weight: 650;
    letter-spacing: -0.02em;
  }
  .kpi .sub {
    color: var(--muted);
    font-size: 12px;
  }
  .kpi.ok .value {
    color: var(--ok);
  }
  .kpi.warn .value {
    color: var(--warn);
  }
  .kpi.bad .value {
    color: var(--bad);
  }
  .spark {
    position: absolute;
    right: 10px;
    bottom: 10px;
    width: 96px;
    height: 30px;
  }
  .spark polyline {
    fill: none;
    stroke: var(--accent);
    stroke-width: 1.5;
  }
  .spark polygon {
    fill: var(--accent-soft);
  }
`;
