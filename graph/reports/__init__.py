"""Region and academy profiles: the figures, charts and texts of a profile page and its report.

:func:`itskg.graph.reports.profile.region_profile` and
:func:`~itskg.graph.reports.profile.academy_profile` compute a :class:`Profile` from the store:
sections (academies and areas, members by kind and sector, skills taught versus demanded, S3
alignment when the catalogue has the queries, mobility, outcomes, network position), each
with Vega-Lite charts whose data compare the region (or academy) with the national figure and
say which layers (real or synthetic) they draw on. The HTML page, the ``itskg report``
command (HTML and PDF) and the JSON/CSV downloads all render this one object.
"""

from __future__ import annotations

from itskg.graph.reports.profile import Chart, Profile, Section, academy_profile, region_profile

__all__ = ["Chart", "Profile", "Section", "academy_profile", "region_profile"]
