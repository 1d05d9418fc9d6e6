"""The ``foundation-members`` table kind: members of ITS foundations named in sources.

The layout of ../shared/data/members/its_foundation_members_press.csv: one row per member named
in a press or institutional page, with the foundation as the source names it, its IndicePA code
(a trailing ``?`` marks a probable but unconfirmed match), the member's name, its role in the
source's words, its kind (Italian words) and the source URL.

Matching the foundation (reported by :meth:`PressMembersMapper.finish` as the match report):

* ``exact``: the IPA code is given without ``?`` and belongs to an academy of the store;
* ``probable``: the IPA code carries ``?`` (reason: unconfirmed in the source), or no IPA code
  is given and exactly one academy's short name occurs as a word in the foundation's name
  (reason: that short name);
* ``unmatched``: neither; the row is reported and not loaded (nothing to attach it to).

Members are matched to organisations already in the store by exact name (else minted as
``id/org/{name slug}``, ``id/company/{name slug}`` for companies, once per file). Roles: the
source's words are kept in ``itskg:sourceRole``; ``org:role`` is founder / participant /
supporter when those words say so, otherwise ``unspecified`` (never guessed). A probable match
is also recorded on the membership (``itskg:matchMethod``, ``skos:note``).
"""

from __future__ import annotations

import re

from itskg.graph.importers.mapbase import MEMBER_CLASS, ORG, RDF_TYPE, SKOS, I, Mapper, slug
from itskg.graph.namespaces import VOCAB, data_iri

__all__ = ["PressMembersMapper", "member_type_code", "role_code"]

_ROLE_WORDS = (  # (regex on the source's words, member-role code)
    (re.compile(r"\bfondator|\bfounder|\bfounding member", re.I), "founder"),
    (re.compile(r"\bpartecipant|\bparticipating member", re.I), "participant"),
    (re.compile(r"\bsostenitor|\bsupporter|\bsupporting member", re.I), "supporter"),
)
_NOT_CONFIRMED = re.compile(r"not confirmed|non confermat|inferred|dedott", re.I)
# The compiler's member_type words -> partner-type codes (first matching pattern wins).
_TYPE_WORDS = (
    (r"associazion\w* di categoria|datorial|trade association|employers", "trade-association"),
    (r"camera di commercio|cciaa|chamber of commerce", "chamber-of-commerce"),
    (r"fondazione (di origine )?bancaria|banking foundation|bank foundation", "bank-foundation"),
    (r"\bbanca\b|\bbank\b|credito cooperativo", "bank"),
    (r"sindacat|trade union", "trade-union"),
    (r"terzo settore|third.sector|cooperativa sociale|volontariato", "third-sector"),
    (r"ordine|collegio professionale|professional", "professional-body"),
    (r"universit", "university"),
    (r"ricerca|research", "research"),
    (r"ente (di|/societ\w+ di) formazione|formazione|training", "training-body"),
    (r"scuola|istituto|school", "school"),
    (r"ente locale|ente regionale|comune|provincia|regione|local authority|public",
     "local-authority"),
    (r"impresa|azienda|company|societ", "company"),
)


def role_code(words: str) -> tuple[str, bool]:
    """(member-role code, confirmed) for a role worded by a source; ``unspecified`` when the
    words name no founder/participant/supporter role."""
    for rx, code in _ROLE_WORDS:
        if rx.search(words):
            return code, not _NOT_CONFIRMED.search(words)
    return "unspecified", not _NOT_CONFIRMED.search(words)


def member_type_code(words: str) -> str | None:
    """partner-type code for the compiler's member_type words, or None if unknown."""
    for pattern, code in _TYPE_WORDS:
        if re.search(pattern, words, re.I):
            return code
    return None


class PressMembersMapper(Mapper):
    """Mixin of :class:`~itskg.graph.importers.mapping.KindMapper` for ``foundation-members``."""

    def _foundation_members(self) -> None:
        self.paths(foundationMember="member_name_in_source", sourceRole="member_role",
                   partnerType="member_type")
        self.out.path_columns.setdefault(ORG + "organization", "foundation_name_in_source")
        if not hasattr(self, "_matches"):
            self._matches: dict[str, list] = {"exact": [], "probable": [], "unmatched": []}
        fname = self.text("foundation_name_in_source")
        member_name = self.text("member_name_in_source")
        role_words = self.text("member_role")
        type_words = self.text("member_type")
        if not (fname and member_name and role_words and type_words):
            return
        ptype = member_type_code(type_words)
        if ptype is None:
            self._problem("member_type", f"member type {type_words!r} not recognised: read as "
                          "'other'", "warning")
            ptype = "other"
        academy, status, reason = self._match_foundation(fname, self.cells.get("ipa_code", ""))
        self._matches[status].append((self.row, fname, member_name, reason, academy))
        if academy is None:
            self._problem("foundation_name_in_source", f"foundation {fname!r} matches no "
                          f"academy of the store ({reason}); row not loaded", "warning")
            return
        self.out.referenced.add(academy)
        member = self._named_member(member_name, ptype)
        role, confirmed = role_code(role_words)
        m = data_iri("membership", f"{self.lk.academy_key(academy)}/{member.rsplit('/', 1)[-1]}")
        if not self.begin(m, "FoundationMembership"):
            return
        w = self.w
        w.iri(m, I + "foundationMember", member)
        w.iri(m, ORG + "organization", academy)
        w.iri(m, ORG + "role", f"{VOCAB}member-role/{role}")
        w.iri(m, I + "partnerType", f"{VOCAB}partner-type/{ptype}")
        w.lit(m, I + "sourceRole", role_words)
        w.lit(m, I + "matchMethod", f"{status}: {reason}")
        if status == "probable":
            w.lit(m, SKOS + "note", f"Foundation matched as probable only ({reason}).", lang="en")
        if not confirmed:
            w.lit(m, SKOS + "note", "The source does not confirm this membership "
                  f"({role_words}).", lang="en")
        w.lit(m, SKOS + "note", self.cells.get("notes", ""), lang="en")
        w.iri(member, I + "memberOfFoundation", academy)

    def _match_foundation(self, fname: str, ipa_cell: str) -> tuple[str | None, str, str]:
        ipa = ipa_cell.strip()
        unconfirmed = ipa.endswith("?")
        ipa = ipa.rstrip("?").strip()
        if ipa:
            found = self.lk.academy_by_ipa(ipa)
            if found and not unconfirmed:
                return found, "exact", f"IPA code {ipa}"
            if found:
                return found, "probable", f"IPA code {ipa} marked unconfirmed (?) in the source"
            return None, "unmatched", f"IPA code {ipa} is not in the store"
        hit = self.lk.academy_by_short_name_in(fname)
        if hit:
            return hit[0], "probable", f"no IPA code; the short name {hit[1]!r} occurs in it"
        return None, "unmatched", "no IPA code and no academy short name in the name"

    def _named_member(self, name: str, ptype: str) -> str:
        found = self.lk.organisation_names().get(name)
        if len(found) == 1:
            iri = next(iter(found))
            self.out.referenced.add(iri)
            return iri
        iri = data_iri("company" if ptype == "company" else "org", slug(name))
        if iri not in self.out.focus_rows:
            self.out.focus_rows[iri] = self.row
            self.w.iri(iri, RDF_TYPE, I + MEMBER_CLASS[ptype])
            self.w.lit(iri, "http://purl.org/dc/terms/source",
                       self.cells.get("source") or self.default_note)
        self.name(iri, name)
        return iri

    def finish(self) -> None:
        super().finish()
        if self.kind.name != "foundation-members":
            return
        matches = getattr(self, "_matches", {"exact": [], "probable": [], "unmatched": []})
        rep = self.out.report
        rep.append("match report (foundations): " + ", ".join(
            f"{k} {len(v)} row(s)" for k, v in matches.items()))
        for status in ("exact", "probable", "unmatched"):
            by_foundation: dict[tuple[str, str, str | None], list[int]] = {}
            for row, fname, _member, reason, academy in matches[status]:
                by_foundation.setdefault((fname, reason, academy), []).append(row)
            for (fname, reason, academy), rows in by_foundation.items():
                target = academy.rsplit("/", 1)[-1] if academy else "-"
                rep.append(f"  {status:9} {len(rows):2} row(s) {fname!r} -> {target} "
                           f"({reason}); rows {rows[0]}-{rows[-1]}")
