// Chart.js for the History view only: just the bar chart's parts are registered (never
// chart.js/auto), and this module is imported from this route alone, so Vite keeps it out of
// every other view's bundle.
import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

export { Chart };

/** The colours and fonts of the current colour scheme, read from app.css's variables. */
export interface ChartTheme {
  bar: string;
  barHover: string;
  text: string;
  muted: string;
  grid: string;
  surface: string;
  font: string;
  mono: string;
}

/** Reads the theme from the document's CSS variables (they change with the colour scheme). */
export function readTheme(): ChartTheme {
  const root = getComputedStyle(document.documentElement);
  const read = (name: string) => root.getPropertyValue(name).trim();
  return {
    bar: read("--accent"),
    barHover: read("--series-1"),
    text: read("--text"),
    muted: read("--muted"),
    grid: read("--border"),
    surface: read("--surface"),
    font: root.fontFamily,
    // Canvas text has no tabular-nums: numeric ticks use the monospace stack so digits line up.
    mono: read("--mono"),
  };
}

/** Calls `onChange` whenever the colour scheme flips; returns the function that stops it. */
export function watchColorScheme(onChange: () => void): () => void {
  const query = matchMedia("(prefers-color-scheme: dark)");
  query.addEventListener("change", onChange);
  return () => query.removeEventListener("change", onChange);
}

/** Whether the user asked for less motion (the charts then skip their animations). */
export function prefersReducedMotion(): boolean {
  return matchMedia("(prefers-reduced-motion: reduce)").matches;
}
