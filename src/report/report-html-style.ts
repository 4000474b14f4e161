// The report page's stylesheet, inline in the page (no network). System fonts; below 640 px wide, tables
// marked `cards` turn into one labelled card per row so a phone needs no sideways scrolling.
export const REPORT_STYLE = `
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1d232b;background:#f3f4f6;-webkit-text-size-adjust:100%}
code{font:13px/1.3 ui-monospace,"DejaVu Sans Mono",monospace;overflow-wrap:anywhere}
table:not(.cards) td,table:not(.cards) th{overflow-wrap:normal}table:not(.cards) code{overflow-wrap:normal;white-space:nowrap}
.banner{color:#fff;padding:16px 20px}
.banner .status{margin:0;font-size:26px;font-weight:700;text-transform:uppercase;letter-spacing:.04em}
.banner .verdict{margin:4px 0 8px;font-size:16px;max-width:60em}
.banner .chip{display:inline-block;border:1px solid rgba(255,255,255,.7);border-radius:12px;padding:0 8px;font-size:13px}
.facts{display:flex;flex-wrap:wrap;gap:4px 20px;margin:0}
.facts div{min-width:0}.facts dt{font-size:12px;opacity:.85}.facts dd{margin:0;overflow-wrap:anywhere}
.facts.plain dt{color:#5b6470;opacity:1}
.error{margin-top:10px;background:rgba(0,0,0,.22);border-radius:6px;padding:8px 10px;white-space:pre-wrap;overflow-wrap:anywhere}
nav{display:flex;flex-wrap:wrap;gap:6px;padding:10px 12px 0}
nav a{background:#fff;border-radius:14px;padding:2px 10px;color:#1d232b;text-decoration:none;font-size:13px;border:1px solid #d9dde2}
.badge{background:#1d232b;color:#fff;border-radius:8px;padding:0 6px;font-size:12px}
main{max-width:1100px}
section{background:#fff;margin:12px;padding:12px 16px;border-radius:8px;min-width:0}
h2{margin:0 0 8px;font-size:18px}h3{font-size:15px;margin:12px 0 4px}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(100px,1fr));gap:8px;margin:0 0 10px}
.tile{background:#f3f4f6;border-radius:6px;padding:6px 8px;border-left:4px solid #c4c9d0}
.tile dt{font-size:12px;color:#5b6470}.tile dd{margin:0;font-size:19px;font-weight:600;font-variant-numeric:tabular-nums;white-space:nowrap}
.tile.bad{border-left-color:#b3261e;background:#fbeceb}.tile.warn{border-left-color:#a35f00;background:#fdf3e6}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
.table-scroll{overflow-x:auto;max-width:100%}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e3e6ea;vertical-align:top;overflow-wrap:anywhere}
th{font-size:13px;color:#5b6470;font-weight:600}
.meter{display:inline-block;width:48px;height:8px;background:#e3e6ea;border-radius:4px;vertical-align:middle;overflow:hidden}
.meter span{display:block;height:100%}
.none,.note{color:#5b6470}.note{font-size:13px}
.by-code{margin:0 0 8px;padding-left:20px}
figure{margin:8px 0}
.chart{width:100%;max-width:640px;height:auto;display:block;font:11px system-ui,"DejaVu Sans",sans-serif;fill:#3d4550}
.chart .caption{font-weight:600;fill:#1d232b}
.chart .grid{stroke:#e3e6ea;stroke-width:1}.chart .axis{stroke:#9aa1ab;stroke-width:1}
.chart .highlight{fill:none;stroke:#1d232b;stroke-width:1;stroke-dasharray:2 2}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:13px;color:#3d4550}
.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:4px;vertical-align:-1px}
details{margin-top:8px}summary{cursor:pointer;color:#35609c}
.sample{margin:0;padding-left:20px}.count{font-weight:400;color:#5b6470}
footer{color:#5b6470;font-size:13px;padding:4px 16px 20px}
@media (max-width:640px){
  .banner{padding:12px 14px}section{margin:8px;padding:10px 12px}
  table.cards thead{display:none}
  table.cards,table.cards tbody,table.cards tr,table.cards td{display:block;width:100%}
  table.cards tr{border:1px solid #e3e6ea;border-radius:6px;margin-bottom:8px;padding:4px 0}
  table.cards td{border:0;padding:2px 10px;display:flex;gap:10px}
  table.cards td::before{content:attr(data-label);flex:0 0 38%;color:#5b6470;font-size:13px}
  table.cards td>span{flex:1;min-width:0}
  table:not(.cards) th,table:not(.cards) td{padding:4px 5px}
  table:not(.cards) code{white-space:normal}
}
`;
