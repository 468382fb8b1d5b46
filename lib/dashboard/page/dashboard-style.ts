import { DASHBOARD_LAYOUT_CSS } from './dashboard-layout-style.js';
import { DASHBOARD_PANEL_CSS } from './dashboard-panel-style.js';

/** The dashboard's style sheet: light and dark schemes, one column on a phone. */
export const DASHBOARD_CSS =
  // The first part ends, and the second begins, on a line break: keep one between them.
  DASHBOARD_LAYOUT_CSS.trimEnd() + DASHBOARD_PANEL_CSS;
