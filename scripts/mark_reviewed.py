"""Mark every curated chapter row reviewed: append `curation = reviewed` to each chapter CSV that lacks
the column, and declare the field once (layerFields) and the chapter document in datapackage.json.
Idempotent. Run after merging curated rows written before the curation field existed:

    python3 scripts/mark_reviewed.py data
"""
import csv, io, json, sys
from pathlib import Path
folder = Path(sys.argv[1])
p = folder / "datapackage.json"
t = p.read_text(); d = json.loads(t)
field = {"name": "curation", "type": "string",
         "description": "How far the row has been checked: 'draft' (written by `briefings draft`, to be reviewed against the chapter) or 'reviewed' (checked by a curator against the chapter).",
         "constraints": {"required": True, "enum": ["draft", "reviewed"]}}
lf = d.get("layerFields", {})
if not any(f["name"] == "curation" for f in lf.get("chapter", [])):
    lf.setdefault("chapter", []).append(field)
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from analysis.data.document import DEFAULT  # noqa: E402

chapter = {"source_id": DEFAULT.source_id, "symbol": DEFAULT.symbol, "part": DEFAULT.part,
           "year": DEFAULT.year, "title": DEFAULT.title, "text": DEFAULT.text}
new = {}
for k, v in d.items():
    if k == "resources":
        new.setdefault("chapter", chapter); new.setdefault("layerFields", lf)
    new[k] = v
new["chapter"] = d.get("chapter", chapter); new["layerFields"] = lf
p.write_text(json.dumps(new, indent=2, ensure_ascii=False) + ("\n" if t.endswith("\n") else ""))
for r in d["resources"]:
    if r.get("layer", "chapter") != "chapter":
        continue
    path = folder / r["path"]
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    trailing = lines[-1] == ""
    body = lines[:-1] if trailing else lines
    rows = list(csv.reader(io.StringIO(text)))
    if rows and rows[0][-1] == "curation":
        continue
    assert len(rows) == len(body), (path, len(rows), len(body))
    out = [body[0] + ",curation"] + [l + ",reviewed" for l in body[1:]]
    path.write_text("\n".join(out) + ("\n" if trailing else ""), encoding="utf-8")
    print("marked", path.name, len(body) - 1)
