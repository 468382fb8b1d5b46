/** Tags the template for Prettier (formatted as CSS); the text is used as it is. */
const css = String.raw;

/** The dashboard's style sheet: light and dark schemes, one column on a phone. */
export const DASHBOARD_CSS = css`
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
  .stream {
    margin-bottom: 12px;
  }
  .card-head {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    justify-content: space-between;
    gap: 4px 16px;
    padding: 12px 16px;
    border-bottom: 1px solid var(--line);
  }
  .card-head .title {
    font-weight: 650;
    font-size: 15px;
  }
  .card-head .meta {
    color: var(--muted);
    font-size: 13px;
  }
  .table-wrap {
    overflow-x: auto;
  }
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th,
  td {
    padding: 8px 16px;
    text-align: right;
    white-space: nowrap;
  }
  th {
    color: var(--muted);
    font-weight: 500;
    font-size: 12px;
    text-transform: uppercase;
    letter-spacing: 0.04em;
  }
  th:first-child,
  td:first-child,
  th.text,
  td.text {
    text-align: left;
  }
  tbody tr + tr td {
    border-top: 1px solid var(--line);
  }
  tr.sub td {
    padding-top: 4px;
    padding-bottom: 4px;
    color: var(--muted);
    font-size: 13px;
    border-top: none !important;
  }
  tr.sub td:first-child {
    padding-left: 44px;
  }
  th.wrap,
  td.wrap {
    white-space: normal;
    text-align: left;
    min-width: 220px;
    max-width: 520px;
    overflow-wrap: anywhere;
  }
  button.toggle {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    padding: 0;
    border: 0;
    background: none;
    color: inherit;
    font: inherit;
    font-weight: 600;
    cursor: pointer;
  }
  button.toggle::before {
    content: '▸';
    display: inline-block;
    width: 12px;
    color: var(--muted);
    transition: transform 0.15s;
  }
  button.toggle[aria-expanded='true']::before {
    transform: rotate(90deg);
  }
  .rate {
    display: inline-flex;
    align-items: center;
    justify-content: flex-end;
    gap: 8px;
  }
  .bar {
    display: inline-block;
    width: 56px;
    height: 6px;
    border-radius: 3px;
    background: var(--line);
    overflow: hidden;
  }
  .bar > i {
    display: block;
    height: 100%;
    width: 0;
    background: var(--bar);
    border-radius: 3px;
    transition: width 0.4s;
  }
  .bar.lag > i {
    background: var(--warn);
  }
  .groups {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(340px, 1fr));
    gap: 12px;
  }
  .figures {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(92px, 1fr));
    gap: 8px;
    padding: 12px 16px;
  }
  .figure .label {
    color: var(--muted);
    font-size: 12px;
    white-space: nowrap;
  }
  .figure .value {
    font-size: 18px;
    font-weight: 600;
  }
  .figure.warn .value {
    color: var(--warn);
  }
  .figure.bad .value {
    color: var(--bad);
  }
  .members {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    padding: 0 16px 12px;
  }
  .chip {
    padding: 2px 8px;
    border-radius: 999px;
    background: var(--bg);
    border: 1px solid var(--line);
    color: var(--muted);
    font-size: 12px;
  }
  .badge {
    padding: 2px 8px;
    border-radius: 999px;
    font-size: 12px;
    font-weight: 600;
    background: var(--bg);
    color: var(--muted);
  }
  .badge.ok {
    color: var(--ok);
    background: color-mix(in srgb, var(--ok) 12%, transparent);
  }
  .badge.warn {
    color: var(--warn);
    background: color-mix(in srgb, var(--warn) 14%, transparent);
  }
  .badge.bad {
    color: var(--bad);
    background: color-mix(in srgb, var(--bad) 12%, transparent);
  }
  .group table td,
  .group table th {
    padding: 5px 16px;
  }
  .error-name {
    color: var(--bad);
    font-weight: 600;
  }
  .empty,
  .missing {
    padding: 16px;
    color: var(--muted);
  }
  .muted {
    color: var(--muted);
  }
  footer {
    max-width: 1240px;
    margin: 0 auto;
    padding: 0 24px 24px;
    color: var(--muted);
    font-size: 12px;
  }
  footer a {
    color: inherit;
  }
  @media (max-width: 640px) {
    header.top {
      padding: 10px 14px;
    }
    main {
      padding: 12px 12px 24px;
    }
    .kpis {
      grid-template-columns: repeat(2, minmax(0, 1fr));
      gap: 8px;
    }
    .kpi .value {
      font-size: 21px;
    }
    .spark {
      display: none;
    }
    .groups {
      grid-template-columns: minmax(0, 1fr);
    }
    th,
    td {
      padding: 7px 10px;
    }
    tr.sub td:first-child {
      padding-left: 28px;
    }
    .wide {
      display: none;
    }
    .bar {
      width: 32px;
    }
    td.wrap {
      min-width: 160px;
    }
    footer {
      padding: 0 12px 16px;
    }
  }
`;
