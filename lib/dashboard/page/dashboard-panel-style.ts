import { css } from './css-tag.js';

/** The stream and group panels (tables, bars, figures, badges), the footer, then the phone layout over all. */
export const DASHBOARD_PANEL_CSS = css`
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
