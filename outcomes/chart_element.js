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
      return Plotly.react(box, spec.figure.data, spec.figure.layout, spec.config).then(() => {
        if (gone) return;
        resizer = new ResizeObserver(() => Plotly.Plots.resize(box));
        resizer.observe(box);
      });
    })
    .catch(() => {
      box.textContent = "This chart could not be drawn. Its figures are in the table that goes with it.";
    });

  return () => {
    gone = true;
    resizer?.disconnect();
  };
}
