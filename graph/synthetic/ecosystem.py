"""``itskg synth``: a synthetic ITS ecosystem on top of the real reference data, clearly labelled.

What it is for: benchmarks, demos and tests of the queries and the network analysis at a
realistic size, where real membership, course and mobility data are not (yet) open. Nothing in
it is a real fact. Every generated resource

* has an IRI under ``https://w3id.org/itskg/id/synthetic/...`` (``.../company/000123``,
  ``.../membership/0000042``, ``.../course/000007``, ...),
* carries ``dct:type <https://w3id.org/itskg/vocab/data-kind/synthetic>`` (so queries can tell
  real from synthetic without GRAPH), and
* lives in the named graph ``https://w3id.org/itskg/graph/synthetic``, which the metadata graph
  marks ``dct:type <.../data-kind/synthetic>``.

It *links to* real things only: the real ITS academies, NUTS regions, EU countries, ATECO 2025
classes, ESCO skills and occupations, EQF levels and the project's code lists. It never adds a
statement whose subject is a real resource (no invented fact about a real academy); academies
without a seat region or area get area-neutral behaviour ("generic" sector mix, companies
anywhere in Italy).

Usage::

    itskg synth --scale national --seed 42        # or: --scale eu, --scale 500
    layer = synthesize(store, scale=500, seed=1)  # an N-Triples temp file as a Layer
    record = build_synthetic(store, scale="national")  # generate + load + delete the file

Scales (``ScaleSpec`` in graph/synthetic/model.py):

==============  =========  ==========  ===========  =========================================
scale           companies  courses     EU partners  notes
==============  =========  ==========  ===========  =========================================
national        ~1,300     ~3,200      (projects)   DEFAULT, calibrated to INDIRE's figures
                (derived)  cohorts                  (graph/synthetic/calibration.py): ~24
                           2019-2025                partners per foundation, 45 % companies,
                                                    4.5 % business associations, ~1,700
                                                    courses running in Dec 2025
national-bench  20,000     1,500       0            the benchmark load (the former
                                                    "national"); ~1.2 M triples
eu              165,000    12,000      40,000       mobility x5, internships abroad; ~9.8 M
N (int)         N          1500 N/2e4  0            like national-bench x N/20000
==============  =========  ==========  ===========  =========================================

Every scale adds synthetic EU projects (graph/synthetic/projects.py: 60 at national and
national-bench, 400 at eu) with foreign partners. The calibrated scale replaces the
distributions marked (bench) below: partner counts per academy ~ lognormal with INDIRE's
mean (24.3) and sigma 0.7 (36-37 % of foundations with 21-50 partners), raised in Puglia and
Veneto to their published partner companies (152, 155) and lowered elsewhere to keep the
mean; each academy's partners split by ``PARTNER_MIX`` (companies 45 % and business
associations 4.5 % as published, the other kinds assumed); company slots filled by a new
company of the academy's sector and region or (p = 0.12) by one already member elsewhere;
cohorts started 2019-2025 growing 30 % a year, ~32 enrolled each (one enrolment observation
per cohort); outcomes per academy and year from the cohorts that ended, employed at 12
months 82-92 % of graduates (87 % on average).

Distributions (constants at the top of graph/synthetic/generator.py):

* Companies (bench): main academy = academy *i* for the first 136 companies (every academy has one),
  then drawn with academy weights ~ lognormal(0, 0.6) ("size"). Seat: a real Italian NUTS-3
  in the main academy's NUTS-2 (40 % its own province), elsewhere in Italy with p = 0.10.
  Sector: ``itskg:primaryActivity`` a real ATECO 2025 class from the divisions of the
  academy's area profile (mechatronics C25-30, ICT 58-63 mostly 62, agri-food 01-03/10-11,
  energy 35/42-43, mobility 49-53/29-30, life sciences 20-21/72, fashion 13-15, tourism
  55-56/79/90-93, business services 69-82, home 16/23/31/41-43); VAT: 11 digits with a valid
  check digit (format only: not checked against any register).
* Memberships per company (bench): k ~ truncated Zipf(alpha=2) on 1..60: P(k=1) = 0.61, mean ~ 2.9,
  so most companies belong to one academy and a few to dozens (the brokers). Each extra
  membership goes to an academy outside the company's NUTS-2 region with p = 0.15 (always if
  the region has no other academy); with the seated-elsewhere companies, about 28 % of the
  company memberships cross a regional border at national scale (measured, seed 42).
  Role founder/participant/supporter 25/60/15 % for companies (20/50/30 % for the other
  members); start date = the academy's founding date (2010-2016) for founders, a later date
  otherwise; 5 % have an end date.
* Other members per academy (bench), in its region and shared between academies of the
  region: schools 2-8, accredited training bodies 1-4, universities 1-3, research bodies 0-2,
  local authorities 1-4, and 0-3 others, each a trade association, chamber of commerce, bank
  foundation, bank, trade union, third-sector or professional body (weights OTHER_KINDS).
  With p = 0.06 an academy lacks schools, training bodies or universities+research, so a
  few fail the Law 99/2022 minimum partner mix.
* Courses: EQF 5 (88 %, 1,800-2,000 h, cohort (bench) 2019-2023 + 2 years) or EQF 6
  (3,000 h, + 3 years); internship 35-45 % of hours, below 35 % with p = 0.07 (a compliance issue);
  ``itskg:teachesSkill`` 8-25 real ESCO skills: the essential and optional skills of 1-3 ESCO
  occupations matching the area (label keywords or ISCO groups), plus digital (12-30 %,
  ICT +20 %), green (area-specific 5-25 %) and transversal (10 %) skills. Four NUTS-2 regions
  drawn with the seed are *digital-weak* (0-4 % digital, named in the layer description).
* Demand: every company ``itskg:requiresSkill`` 3-10 essential skills of its sector's
  occupations, 30 % digital, so supply-vs-demand gaps exist (largest in the weak regions).
* Collaborations: half of the member companies, 1-2 years in 2019-2025 each, plus ~10 %
  non-member companies of the region; internship hosting / teaching / lab = 6 : 3 : 1.5.
* Mobility: per academy and year 2-8 x size flows (2020 x0.35, 2021 x0.6), destination
  countries by gravity weights (DEU 10, ESP 9, FRA 8, IRL 6, PRT 5 ...), a real NUTS-2 of that
  country, 15 % incoming, 1 + lognormal participants.
* Indicators (bench) per academy and year 2019-2024: dropouts 10-28 %, graduates = enrolled -
  dropouts - still enrolled, employed at 12 months 78-93 % of graduates, coherent 85-97 % of
  employed (so every inequality of the SHACL shapes holds).

Same store content + same scale + same seed -> byte-identical N-Triples.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from itskg.graph.backends.interface import Store
from itskg.graph.rdfwriter import sha256_file
from itskg.graph.store import Layer, LayerRecord
from itskg.graph.synthetic.generator import Generator, Out
from itskg.graph.synthetic.inputs import read_reference
from itskg.graph.synthetic.model import ScaleSpec, parse_scale, scale_spec, wanted_occupation
from itskg.graph.synthetic.observations import datasets, eu_partners, indicators, mobility
from itskg.graph.synthetic.projects import eu_projects

__all__ = ["SYNTHETIC_SOURCE", "build_synthetic", "parse_scale", "scale_spec", "synthesize"]

SYNTHETIC_SOURCE = "synthetic"
Progress = Callable[[str], None]


def synthesize(
    store: Store,
    *,
    scale: str | int = "national",
    seed: int = 42,
    progress: Progress | None = None,
    workdir: Path | None = None,
) -> Layer:
    """Generate the synthetic layer from the store's real layers; return it (not loaded).

    The Layer's data is an N-Triples temporary file in ``workdir`` (default: the system temp
    directory); the caller loads it (``store.replace_layers([layer])``) and deletes it, or uses
    :func:`build_synthetic`. Raises DataError naming the command to run when the reference
    layers or ESCO are missing, ConfigError for a bad scale.
    """
    say = progress or (lambda _m: None)
    spec: ScaleSpec = scale_spec(scale)
    t0 = time.perf_counter()
    say("reading the reference layers")
    ref = read_reference(store, wanted_occupation)
    fd, name = tempfile.mkstemp(prefix="itskg-synthetic-", suffix=".nt", dir=workdir)
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            out = Out(fh)
            gen = Generator(ref, spec, seed, out, say)
            gen.prepare()
            for label, step in (
                ("partner organisations", gen.other_members), ("companies", gen.companies),
                ("courses", gen.courses), ("collaborations", gen.collaborations),
                ("EU partners", lambda: eu_partners(gen)),
                ("EU projects", lambda: eu_projects(gen)),
                ("mobility flows", lambda: mobility(gen)),
                ("indicators", lambda: indicators(gen)), ("datasets", lambda: datasets(gen)),
            ):
                say(f"generating {label}")
                step()
            out.flush()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    stats = dict(sorted(gen.stats.items()))
    weak = ", ".join(w.rsplit("/", 1)[-1] for w in gen.weak)
    say(f"generated {out.n} triples in {time.perf_counter() - t0:.1f} s: {stats}")
    return Layer(
        source=SYNTHETIC_SOURCE,
        title=f"Synthetic ITS ecosystem (scale={spec.name}, seed={seed})",
        data=path,
        format="nt",
        kind="synthetic",
        derived_from=("itskg synth",),
        description=(
            "SYNTHETIC data, not real facts: generated by `itskg synth` "
            f"(scale={spec.name}, seed={seed}) on top of the real academies, NUTS regions, "
            "ATECO 2025 classes and ESCO skills. Every resource is under "
            "https://w3id.org/itskg/id/synthetic/ and typed dct:type data-kind/synthetic. "
            f"Digital-weak regions: {weak}. Counts: "
            + ", ".join(f"{k}={v}" for k, v in stats.items()) + "."
        ),
        sha256=sha256_file(path),
        rows=out.n,
        generated=True,
    )


def build_synthetic(
    store: Store,
    *,
    scale: str | int = "national",
    seed: int = 42,
    progress: Progress | None = None,
    rules: Sequence[str] | None = None,
) -> LayerRecord:
    """Generate and load (replace) the synthetic layer atomically; the temp file is removed.

    ``rules`` is passed to ``KnowledgeStore.replace_layers`` (None: the shipped rules).
    """
    layer = synthesize(store, scale=scale, seed=seed, progress=progress,
                       workdir=store.root if isinstance(store.root, Path)
                       and store.root.exists() else None)
    try:
        return store.replace_layers([layer], progress=progress, rules=rules)[0]
    finally:
        with contextlib.suppress(FileNotFoundError):
            Path(layer.data).unlink()  # type: ignore[arg-type]

