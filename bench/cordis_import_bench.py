"""Peak memory of ``itskg import cordis`` on a CORDIS-sized synthetic export (default 1 GB).

Writes a synthetic CORDIS folder (project.csv + organization.csv in the published layout:
semicolon-separated, quoted, multi-line objectives, decimal commas) of about ``--size-mb`` MB
into ``--workdir`` (never committed; deleted afterwards unless ``--keep``), and the same at
1 % of that size as the in-run baseline. Each import runs in a fresh child process on a copy
of a reference store, so its peak RSS (``ru_maxrss``) is its own. Italy's weight among the
participants' countries is set so that about 12 % of the projects have an Italian participant
(and are kept with all their partners); the rest is read and dropped. Reported: rows, kept rows,
seconds and peak RSS of the read (three streaming passes) and of read + load into the store,
and the ratio big/baseline: bounded memory means a ratio near 1 for the read however big the
file is (the load is the store's bulk loader on the kept triples).

    .venv/bin/python bench/cordis_import_bench.py                  # 1 GB, ~10 minutes
    .venv/bin/python bench/cordis_import_bench.py --size-mb 100 --no-load
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from itskg.graph.build import reference_layers
from itskg.graph.store import KnowledgeStore

PROJECT_HEADER = ("id;acronym;status;title;startDate;endDate;totalCost;ecMaxContribution;"
                  "legalBasis;topics;ecSignatureDate;frameworkProgramme;masterCall;subCall;"
                  "fundingScheme;nature;objective;contentUpdateDate;rcn;grantDoi")
ORG_HEADER = ("projectID;projectAcronym;organisationID;vatNumber;name;shortName;SME;"
              "activityType;street;postCode;city;country;nutsCode;geolocation;organizationURL;"
              "contactForm;contentUpdateDate;rcn;order;role;ecContribution;netEcContribution;"
              "totalCost;endOfParticipation;active")
COUNTRIES = (("DE", 14), ("FR", 11), ("ES", 12), ("IT", 1.3), ("NL", 7), ("BE", 5), ("EL", 4),
             ("PT", 4), ("AT", 3), ("SE", 3), ("FI", 3), ("DK", 2), ("PL", 3), ("IE", 2),
             ("UK", 3), ("CH", 2), ("NO", 2))
WORDS = ("energy efficient drives materials circular manufacturing digital twin vocational "
         "skills hydrogen batteries photonics robotics agriculture food safety health data "
         "platform cloud edge sensors mobility logistics maritime aerospace textiles design "
         "heritage tourism training apprenticeship innovation ecosystem regional smart").split()


def generate(folder: Path, size_mb: float, seed: int = 7) -> dict[str, int]:
    """Write project.csv and organization.csv totalling about ``size_mb`` MB."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    names, weights = zip(*COUNTRIES, strict=True)
    target = int(size_mb * 1_000_000)
    written = projects = orgs = 0
    pics = [f"9{n:08d}" for n in range(60_000)]
    with (folder / "project.csv").open("w", encoding="utf-8", newline="") as pf, \
         (folder / "organization.csv").open("w", encoding="utf-8", newline="") as of:
        pf.write(PROJECT_HEADER + "\n")
        of.write(ORG_HEADER + "\n")
        while written < target:
            projects += 1
            pid = str(100_000_000 + projects)
            acr = f"P{projects:07d}"
            objective = " ".join(rng.choices(WORDS, k=rng.randint(250, 450)))
            objective = objective[:900] + ".\n" + objective[900:] + '; "quoted"'
            line = (f'{pid};{acr};SIGNED;"Project {acr} on {rng.choice(WORDS)}";2023-01-01;'
                    f"2026-12-31;{rng.randint(5, 90) * 100_000},5;{rng.randint(5, 80) * 100_000};"
                    f"HORIZON.2.5;HORIZON-CL5-2023-D3-01;2022-12-01;HORIZON;HORIZON-CL5-2023;"
                    f'HORIZON-CL5-2023;HORIZON-RIA;;"{objective.replace(chr(34), chr(34) * 2)}";'
                    f"2024-03-01 10:00:00;{projects};10.3030/{pid}\n")
            pf.write(line)
            written += len(line)
            for order in range(1, rng.randint(3, 16)):
                orgs += 1
                c = rng.choices(names, weights)[0]
                pic = rng.choice(pics)
                role = "coordinator" if order == 1 else rng.choice(
                    ("participant", "participant", "participant", "associatedPartner"))
                row = (f"{pid};{acr};{pic};{c}{rng.randint(10**9, 10**10 - 1)};"
                       f'"Organisation {pic} {rng.choice(WORDS).title()}";O{pic};'
                       f"{rng.choice(('true', 'false'))};"
                       f"{rng.choice(('HES', 'REC', 'PRC', 'PUB', 'OTH'))};"
                       f'"Street {order}";{rng.randint(10000, 99999)};City;{c};'
                       f"{c}{rng.randint(10, 99)}A;"
                       f"45.1,9.2;;;2024-03-01 10:00:00;{orgs};{order};{role};"
                       f"{rng.randint(0, 900_000)},{rng.randint(0, 99)};{rng.randint(0, 900_000)};"
                       f"{rng.randint(0, 900_000)};false;true\n")
                of.write(row)
                written += len(row)
    return {"projects": projects, "organisations": orgs,
            "bytes": sum(p.stat().st_size for p in folder.iterdir())}


CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from itskg.graph.store import KnowledgeStore
from itskg.graph.importers.cordis import read_cordis
store, folder, load = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
t0 = time.perf_counter()
with KnowledgeStore.open(store, read_only=False) as st:
    layer, report = read_cordis(st, folder)
    t_read = time.perf_counter() - t0
    rss_read = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    triples = 0
    if load:
        (rec,) = st.replace_layers([layer])
        triples = rec.triples
    Path(layer.data).unlink(missing_ok=True)
print(json.dumps({"read_s": round(t_read, 1), "total_s": round(time.perf_counter() - t0, 1),
                  "rss_read_mb": round(rss_read / 1024), "triples": triples,
                  "rss_total_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "kept_projects": report.projects_kept,
                  "rows_read": dict(report.rows_read), "rows_kept": dict(report.rows_kept)}))
"""


def run(ref: Path, folder: Path, work: Path, load: bool) -> dict:
    store = work / f"store-{folder.name}"
    shutil.rmtree(store, ignore_errors=True)
    shutil.copytree(ref, store)
    try:
        out = subprocess.run([sys.executable, "-c", CHILD, str(store), str(folder),
                              "1" if load else "0"], capture_output=True, text=True, check=True)
    finally:
        shutil.rmtree(store, ignore_errors=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size-mb", type=float, default=1000)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--no-load", action="store_true", help="measure the read passes only")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    a = ap.parse_args()
    work = a.workdir or Path(tempfile.mkdtemp(prefix="itskg-cordis-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        ref = work / "reference"
        with KnowledgeStore.open(ref, read_only=False) as st:
            st.replace_layers(reference_layers(), fresh=True)
        results = {}
        for label, mb in (("baseline", a.size_mb / 100), ("big", a.size_mb)):
            t0 = time.perf_counter()
            info = generate(work / label, mb)
            print(f"{label}: generated {info['bytes'] / 1e6:,.0f} MB ({info['projects']:,} "
                  f"projects, {info['organisations']:,} participations) in "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)
            results[label] = {**info, **run(ref, work / label, work, not a.no_load)}
            print(f"{label}: {json.dumps(results[label])}", flush=True)
            if not a.keep:
                shutil.rmtree(work / label, ignore_errors=True)
        b, s = results["big"], results["baseline"]
        print(f"peak RSS, read passes: {b['rss_read_mb']} MB for {b['bytes'] / 1e6:,.0f} MB vs "
              f"{s['rss_read_mb']} MB for {s['bytes'] / 1e6:,.0f} MB "
              f"(ratio {b['rss_read_mb'] / s['rss_read_mb']:.2f} for "
              f"x{b['bytes'] / s['bytes']:.0f} input)")
        if not a.no_load:
            print(f"peak RSS, read + load of {b['triples']:,} triples: {b['rss_total_mb']} MB "
                  f"(baseline {s['rss_total_mb']} MB, {s['triples']:,} triples)")
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
