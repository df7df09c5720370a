// Loaded before the style sheet applies, so a remembered dark choice never flashes light first.
// Without a choice the page follows the system (prefers-color-scheme, in style.css).
try {
  const theme = localStorage.getItem('parley.theme');
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
} catch {
  // Storage may be blocked; the system's choice still applies.
}
