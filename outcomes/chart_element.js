// Draws one figure with the dashboard's own plotly.js bundle (outcomes/chart_element.py).
// `data` is the UTF-8 JSON of {bundle, figure, config, label}, made by the server. Text in the
// figure was escaped for Plotly there; the label is set as an attribute, never as HTML.
export default function ({ data, parentElement }) {
  const spec = JSON.parse(new TextDecoder().decode(data));
  let box = parentElement.querySelector(":scope > .outcomes-chart");
  if (!box) {
    box = document.createElement("div");
    box.className = "outcomes-chart";
    box.setAttribute("data-testid", "outcomesChart");
    box.setAttribute("role", "figure");
    parentElement.appendChild(box);
  }
  box.setAttribute("aria-label", spec.label);
  box.style.minHeight = `${spec.figure.layout?.height ?? 450}px`;

  // One load of the bundle per page, shared by every chart on it (each chart's module is
  // evaluated afresh, so the promise lives on the window).
  const loads = (window.__outcomesPlotly ??= new Map());
  if (!loads.has(spec.bundle)) {
    loads.set(
      spec.bundle,
      new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = spec.bundle;
        script.onload = () => resolve(window.Plotly);
        script.onerror = () => {
          loads.delete(spec.bundle);
          reject(new Error("chart script did not load"));
        };
        document.head.appendChild(script);
      }),
    );
  }

  let gone = false;
  let resizer;
  loads
    .get(spec.bundle)
    .then((Plotly) => {
      if (gone) return;
      const note = box.querySelector(":scope > .outcomes-chart-error"); // an earlier run's
      if (note) {
        note.remove();
        Plotly.purge(box); // what was drawn before the note replaced it
      }
      return Plotly.react(box, spec.figure.data, spec.figure.layout, spec.config).then(() => {
        if (gone) return;
        // Redrawn when the page's width changes (the sidebar closed, the window resized), not
        // on the observer's first call.
        let width = box.clientWidth;
        resizer = new ResizeObserver(() => {
          if (box.clientWidth === width) return;
          width = box.clientWidth;
          Plotly.Plots.resize(box).catch(() => {}); // gone from the page meanwhile
        });
        resizer.observe(box);
      });
    })
    .catch(() => {
      if (gone || box.querySelector(":scope > .outcomes-chart-error")) return;
      const note = document.createElement("p");
      note.className = "outcomes-chart-error";
      note.textContent = "This chart could not be drawn. Its figures are in the table that goes with it.";
      box.replaceChildren(note);
    });

  return () => {
    gone = true;
    resizer?.disconnect();
  };
}
