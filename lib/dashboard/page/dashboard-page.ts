/** Where the page's script, style sheet and data live, and what every URL of it carries. */
export interface PageUrls {
  /** The dashboard's own path (`/dashboard` on the broker, the mount path in an app). */
  base: string;
  /** A query string (`?token=...`) every request of the page repeats; empty without one. */
  query: string;
}

/** The dashboard page: a shell the script fills from the snapshot feed. */
export function dashboardPage(urls: PageUrls): string {
  const asset = (name: string): string => escapeHtml(`${urls.base}/${name}${urls.query}`);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light dark" />
    <title>Iggy dashboard</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${asset('dashboard.css')}" />
    <script src="${asset('dashboard.js')}" defer></script>
  </head>
  <body>
    <header class="top">
      <div class="brand">
        <span class="logo" aria-hidden="true">◆</span>
        <h1>Iggy</h1>
        <span id="source" class="source"></span>
      </div>
      <div id="status" class="status" data-state="connecting" role="status">
        <span class="dot"></span><span id="status-text">connecting…</span>
      </div>
    </header>
    <main id="app"><p class="muted">Loading…</p></main>
    <footer>
      Live from the server every second ·
      <a href="${asset('snapshot')}">snapshot JSON</a>
    </footer>
  </body>
</html>
`;
}

/** Text safe inside HTML text and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
