#!/usr/bin/env python3
"""Generates crates/vzarr-core/src/grib/params/table.rs from ecCodes concept definitions.

vzarr names GRIB variables by ecCodes' `shortName`, so it needs ecCodes' parameter
concepts: `shortName.def`, `paramId.def`, `name.def`, `units.def`, `cfVarName.def` and
`cfName.def`, each a list of `'value' = { key = int; ... }` entries that ecCodes evaluates
by "best match" (the matching entry with the most conditions; on a tie, the later one).

Usage (the committed table was made from ecCodes 2.28.3, the version behind the corpus
truth.json):
    git clone --depth 1 -b 2.28.3 https://github.com/ecmwf/eccodes /tmp/eccodes
    python3 scripts/gen_grib_params.py /tmp/eccodes/definitions \
        > crates/vzarr-core/src/grib/params/table.rs

Entries whose conditions use keys vzarr does not evaluate (random-field numbers, chemical
source/sink processes and distribution functions, ...) are left out: such
a field is named from the remaining entries or "unknown". Which concept files are used:
    GRIB2: master, ECMWF local (WMO disciplines), NCEP local; ECMWF's local discipline 192
           is resolved through the GRIB1 ECMWF tables (category = table2Version,
           number = indicatorOfParameter), which is how ecCodes defines it.
    GRIB1: master (WMO tables 1-3) and the ECMWF local tables in ECMF_GRIB1_TABLES (the
           operational, reanalysis, wave, ocean and seasonal ones; chemistry/aerosol
           tables 210-221, gradients 129, anomalies 171 and differences 200/201 are left
           out to keep the table small).
    typeOfLevel: GRIB2 master and NCEP local; GRIB1 master.
"""
import os
import re
import sys

# Keys the Rust evaluator knows (grib/params/mod.rs `Key`), by ecCodes name.
KEYS = [
    "typeOfFirstFixedSurface", "scaleFactorOfFirstFixedSurface", "scaledValueOfFirstFixedSurface",
    "typeOfSecondFixedSurface", "scaleFactorOfSecondFixedSurface", "scaledValueOfSecondFixedSurface",
    "typeOfStatisticalProcessing", "lengthOfTimeRange", "indicatorOfUnitForTimeRange",
    "productDefinitionTemplateNumber", "typeOfGeneratingProcess", "localTablesVersion",
    "probabilityType", "scaleFactorOfLowerLimit", "scaledValueOfLowerLimit",
    "constituentType", "is_chemical", "indicatorOfTypeOfLevel", "level", "NV",
    "genVertHeightCoords", "is_aerosol", "is_aerosol_optical", "typeOfSizeInterval",
    "scaleFactorOfFirstSize", "scaledValueOfFirstSize", "scaleFactorOfSecondSize",
    "scaledValueOfSecondSize", "typeOfWavelengthInterval", "scaleFactorOfFirstWavelength",
    "scaledValueOfFirstWavelength", "scaleFactorOfSecondWavelength",
    "scaledValueOfSecondWavelength",
]
# ecCodes aliases: the same key under another name in some concept files.
ALIASES = {"aerosolType": "constituentType"}
# The identifying keys of each edition, stored in `head` rather than as conditions.
HEAD_KEYS = ["discipline", "parameterCategory", "parameterNumber", "table2Version",
             "indicatorOfParameter"]
KEY_VARIANTS = {k: k[0].upper() + k[1:] for k in KEYS}
KEY_VARIANTS["is_chemical"] = "IsChemical"
KEY_VARIANTS["is_aerosol"] = "IsAerosol"
KEY_VARIANTS["is_aerosol_optical"] = "IsAerosolOptical"
KEY_VARIANTS["NV"] = "Nv"
ECMF_GRIB1_TABLES = {128, 130, 131, 132, 133, 140, 150, 151, 160, 162, 170, 172, 173, 174,
                     175, 180, 190, 228, 230, 234, 235}
MISSING = 2147483647  # GRIB_MISSING_LONG: what ecCodes returns for an all-ones field

ENTRY = re.compile(r"^\s*'([^']*)'\s*=\s*\{(.*?)\}", re.S | re.M)
COND = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([^;]+);")


def parse(path):
    """[(value, ((key, int), ...))] in file order, or None when the file is absent."""
    if not os.path.exists(path):
        return None
    text = open(path, encoding="utf-8", errors="replace").read()
    text = re.sub(r"#[^\n]*", "", text)
    out = []
    for m in ENTRY.finditer(text):
        conds = []
        for key, raw in COND.findall(m.group(2)):
            raw = raw.strip()
            if raw == "missing()":
                value = MISSING
            else:
                try:
                    value = int(raw)
                except ValueError:
                    value = None  # strings and expressions: not evaluable
            conds.append((ALIASES.get(key, key), value))
        out.append((m.group(1), tuple(conds)))
    return out


def usable(conds):
    return all((k in KEYS or k in HEAD_KEYS) and v is not None for k, v in conds)


def load_params(root, sub, key_names):
    """Entries of one concept directory, with paramId/shortName/name/units/cfVarName/cfName."""
    d = os.path.join(root, sub)
    ids = parse(os.path.join(d, "paramId.def"))
    if ids is None:
        return []
    columns = {}
    for concept in ("shortName", "name", "units", "cfVarName"):
        entries = parse(os.path.join(d, concept + ".def")) or []
        by_cond = {}
        for value, conds in entries:
            by_cond.setdefault(conds, value)
        columns[concept] = by_cond
    cf = {}
    for value, conds in parse(os.path.join(d, "cfName.def")) or []:
        cf.setdefault(conds, value)
    rows = []
    for pid, conds in ids:
        if not usable(conds):
            continue
        keys = dict(conds)
        if not all(k in keys for k in key_names):
            continue
        short = columns["shortName"].get(conds)
        if short is None:
            continue
        rows.append({
            "id": int(pid),
            "short": short,
            "name": columns["name"].get(conds, short),
            "units": columns["units"].get(conds, ""),
            "cfvar": columns["cfVarName"].get(conds, short),
            "cf": cf.get(conds, ""),
            "head": tuple(keys[k] for k in key_names),
            "extra": tuple((k, v) for k, v in conds if k not in key_names),
        })
    return rows


def rust_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def emit_params(name, rows, out):
    # Stable sort by the identifying head keeps file order among equal heads, which the
    # tie-breaking rule needs.
    rows = sorted(enumerate(rows), key=lambda r: (r[1]["head"], r[0]))
    out.append(f"pub(crate) static {name}: &[ParamDef] = &[")
    for _, r in rows:
        extra = ", ".join(f"({KEY_VARIANTS[k]}, {v})" for k, v in r["extra"])
        cfvar = "" if r["cfvar"] == r["short"] else r["cfvar"]
        h = r["head"]
        head = f"[{h[0]}, {h[1]}, {h[2] if len(h) > 2 else 0}]"
        out.append(
            f"    p({head}, {r['id']}, {rust_str(r['short'])}, {rust_str(r['name'])}, "
            f"{rust_str(r['units'])}, {rust_str(cfvar)}, {rust_str(r['cf'])}, &[{extra}]),"
        )
    out.append("];")
    out.append("")


def emit_levels(name, entries, out):
    out.append(f"pub(crate) static {name}: &[LevelDef] = &[")
    for value, conds in entries:
        if not usable(conds):
            continue
        c = ", ".join(f"({KEY_VARIANTS[k]}, {v})" for k, v in conds)
        out.append(f"    LevelDef {{ name: {rust_str(value)}, conditions: &[{c}] }},")
    out.append("];")
    out.append("")


def main():
    root = sys.argv[1]
    g2 = ["discipline", "parameterCategory", "parameterNumber"]
    g1 = ["table2Version", "indicatorOfParameter"]
    out = [
        "// @generated by scripts/gen_grib_params.py from ecCodes 2.28.3 definitions; do not edit.",
        "// Entries are sorted by their identifying keys (stable, so file order survives).",
        "",
        "use super::Key::*;",
        "use super::{p, LevelDef, ParamDef};",
        "",
    ]
    ecmf2 = [r for r in load_params(root, "grib2/localConcepts/ecmf", g2) if r["head"][0] != 192]
    emit_params("GRIB2_MASTER", load_params(root, "grib2", g2), out)
    emit_params("GRIB2_ECMF", ecmf2, out)
    emit_params("GRIB2_KWBC", load_params(root, "grib2/localConcepts/kwbc", g2), out)
    emit_params("GRIB1_MASTER", load_params(root, "grib1", g1), out)
    ecmf1 = [r for r in load_params(root, "grib1/localConcepts/ecmf", g1)
             if r["head"][0] in ECMF_GRIB1_TABLES]
    emit_params("GRIB1_ECMF", ecmf1, out)
    emit_levels("GRIB2_LEVELS", parse(os.path.join(root, "grib2/typeOfLevelConcept.def")), out)
    emit_levels("GRIB2_KWBC_LEVELS",
                parse(os.path.join(root, "grib2/localConcepts/kwbc/typeOfLevelConcept.def")) or [], out)
    emit_levels("GRIB1_LEVELS", parse(os.path.join(root, "grib1/typeOfLevel.def")), out)
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main()
