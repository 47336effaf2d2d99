"""The clinic's starting catalogue of common outpatient tests and panels.

Ranges are typical adult/paediatric values for the demo; a real clinic loads its own
laboratory's ranges through the admin. ``catalogue_load`` takes the models as
arguments so the data migration can pass its historical models.
"""

from decimal import Decimal

# (code, LOINC, name, specimen, result type, unit, decimals, critical low, high,
#  normal coded values, ranges [(sex, age from, age below, low, high)])
TESTS = [
    # Complete blood count
    ("WBC", "6690-2", "Leukocytes", "blood", "numeric", "10*3/uL", 1, "2.0", "30.0", "",
     [("", 0, 18, "4.5", "13.5"), ("", 18, None, "4.0", "11.0")]),
    ("RBC", "789-8", "Erythrocytes", "blood", "numeric", "10*6/uL", 2, None, None, "",
     [("", 0, 18, "4.0", "5.2"), ("F", 18, None, "4.1", "5.1"),
      ("M", 18, None, "4.5", "5.9"), ("", 18, None, "4.1", "5.9")]),
    ("HGB", "718-7", "Hemoglobin", "blood", "numeric", "g/dL", 1, "7.0", "20.0", "",
     [("", 0, 18, "11.5", "15.5"), ("F", 18, None, "12.0", "15.5"),
      ("M", 18, None, "13.5", "17.5"), ("", 18, None, "12.0", "17.5")]),
    ("HCT", "4544-3", "Hematocrit", "blood", "numeric", "%", 1, "21", "60", "",
     [("", 0, 18, "35", "45"), ("F", 18, None, "36", "46"), ("M", 18, None, "41", "53"),
      ("", 18, None, "36", "53")]),
    ("MCV", "787-2", "MCV", "blood", "numeric", "fL", 1, None, None, "",
     [("", 0, None, "80", "100")]),
    ("MCH", "785-6", "MCH", "blood", "numeric", "pg", 1, None, None, "",
     [("", 0, None, "27", "33")]),
    ("MCHC", "786-4", "MCHC", "blood", "numeric", "g/dL", 1, None, None, "",
     [("", 0, None, "32", "36")]),
    ("RDW", "788-0", "RDW", "blood", "numeric", "%", 1, None, None, "",
     [("", 0, None, "11.5", "14.5")]),
    ("PLT", "777-3", "Platelets", "blood", "numeric", "10*3/uL", 0, "20", "1000", "",
     [("", 0, None, "150", "400")]),
    # Chemistry
    ("GLU", "2345-7", "Glucose", "serum", "numeric", "mg/dL", 0, "50", "400", "",
     [("", 0, None, "70", "99")]),
    ("BUN", "3094-0", "Urea nitrogen", "serum", "numeric", "mg/dL", 0, None, "100", "",
     [("", 0, 18, "5", "18"), ("", 18, None, "7", "20")]),
    ("CREA", "2160-0", "Creatinine", "serum", "numeric", "mg/dL", 2, None, "10", "",
     [("", 0, 18, "0.30", "0.90"), ("F", 18, None, "0.59", "1.04"),
      ("M", 18, None, "0.74", "1.35"), ("", 18, None, "0.59", "1.35")]),
    ("NA", "2951-2", "Sodium", "serum", "numeric", "mmol/L", 0, "120", "160", "",
     [("", 0, None, "135", "145")]),
    ("K", "2823-3", "Potassium", "serum", "numeric", "mmol/L", 1, "2.8", "6.2", "",
     [("", 0, None, "3.5", "5.1")]),
    ("CL", "2075-0", "Chloride", "serum", "numeric", "mmol/L", 0, None, None, "",
     [("", 0, None, "98", "107")]),
    ("CO2", "2028-9", "Carbon dioxide", "serum", "numeric", "mmol/L", 0, "10", "40", "",
     [("", 0, None, "22", "29")]),
    ("CA", "17861-6", "Calcium", "serum", "numeric", "mg/dL", 1, "6.5", "13.0", "",
     [("", 0, None, "8.6", "10.3")]),
    ("TP", "2885-2", "Protein, total", "serum", "numeric", "g/dL", 1, None, None, "",
     [("", 0, None, "6.0", "8.3")]),
    ("ALB", "1751-7", "Albumin", "serum", "numeric", "g/dL", 1, None, None, "",
     [("", 0, None, "3.5", "5.0")]),
    ("TBIL", "1975-2", "Bilirubin, total", "serum", "numeric", "mg/dL", 1, None, "15",
     "", [("", 0, None, "0.1", "1.2")]),
    ("ALP", "6768-6", "Alkaline phosphatase", "serum", "numeric", "U/L", 0, None, None,
     "", [("", 0, 18, "100", "390"), ("", 18, None, "44", "147")]),
    ("ALT", "1742-6", "ALT", "serum", "numeric", "U/L", 0, None, None, "",
     [("F", 0, None, "7", "45"), ("M", 0, None, "7", "55"), ("", 0, None, "7", "55")]),
    ("AST", "1920-8", "AST", "serum", "numeric", "U/L", 0, None, None, "",
     [("", 0, None, "8", "48")]),
    # Lipids
    ("CHOL", "2093-3", "Cholesterol", "serum", "numeric", "mg/dL", 0, None, None, "",
     [("", 0, None, None, "199")]),
    ("TRIG", "2571-8", "Triglyceride", "serum", "numeric", "mg/dL", 0, None, None, "",
     [("", 0, None, None, "149")]),
    ("HDL", "2085-9", "HDL cholesterol", "serum", "numeric", "mg/dL", 0, None, None, "",
     [("F", 0, None, "50", None), ("M", 0, None, "40", None),
      ("", 0, None, "40", None)]),
    ("LDL", "13457-7", "LDL cholesterol (calculated)", "serum", "numeric", "mg/dL", 0,
     None, None, "", [("", 0, None, None, "99")]),
    # Others
    ("A1C", "4548-4", "Hemoglobin A1c", "blood", "numeric", "%", 1, None, None, "",
     [("", 0, None, "4.0", "5.6")]),
    ("TSH", "3016-3", "TSH", "serum", "numeric", "mIU/L", 2, None, None, "",
     [("", 0, None, "0.45", "4.50")]),
    ("FT4", "3024-7", "Free T4", "serum", "numeric", "ng/dL", 2, None, None, "",
     [("", 0, None, "0.80", "1.80")]),
    ("PSA", "2857-1", "PSA", "serum", "numeric", "ng/mL", 2, None, None, "",
     [("", 0, None, "0", "4.00")]),
    ("INR", "6301-6", "INR", "plasma", "numeric", "", 1, None, "5.0", "",
     [("", 0, None, "0.8", "1.1")]),
    ("FERR", "2276-4", "Ferritin", "serum", "numeric", "ng/mL", 0, None, None, "",
     [("F", 0, None, "11", "307"), ("M", 0, None, "24", "336"),
      ("", 0, None, "11", "336")]),
    ("VITD", "1989-3", "Vitamin D, 25-hydroxy", "serum", "numeric", "ng/mL", 0, None,
     None, "", [("", 0, None, "30", "100")]),
    # Urinalysis
    ("UPH", "5803-2", "pH, urine", "urine", "numeric", "", 1, None, None, "",
     [("", 0, None, "5.0", "8.0")]),
    ("USG", "5811-5", "Specific gravity, urine", "urine", "numeric", "", 3, None, None,
     "", [("", 0, None, "1.005", "1.030")]),
    ("UPRO", "5804-0", "Protein, urine (dipstick)", "urine", "coded", "", 0, None, None,
     "Negative", []),
    ("UGLU", "5792-7", "Glucose, urine (dipstick)", "urine", "coded", "", 0, None, None,
     "Negative", []),
    ("UCX", "630-4", "Urine culture", "urine", "text", "", 0, None, None, "", []),
    # Microbiology
    ("STREP", "78012-2", "Streptococcus pyogenes antigen, rapid", "swab", "coded", "",
     0, None, None, "Not detected|Negative", []),
]  # fmt: skip

PANELS = [
    ("CBC", "58410-2", "Complete blood count",
     ["WBC", "RBC", "HGB", "HCT", "MCV", "MCH", "MCHC", "RDW", "PLT"]),
    ("BMP", "51990-0", "Basic metabolic panel",
     ["GLU", "BUN", "CREA", "NA", "K", "CL", "CO2", "CA"]),
    ("CMP", "24323-8", "Comprehensive metabolic panel",
     ["GLU", "BUN", "CREA", "NA", "K", "CL", "CO2", "CA", "TP", "ALB", "TBIL", "ALP",
      "ALT", "AST"]),
    ("LIPID", "57698-3", "Lipid panel", ["CHOL", "TRIG", "HDL", "LDL"]),
    ("THYROID", "", "Thyroid panel", ["TSH", "FT4"]),
    ("UA", "24356-8", "Urinalysis", ["UPH", "USG", "UPRO", "UGLU"]),
]  # fmt: skip


def _dec(value):
    return None if value is None else Decimal(value)


def catalogue_load(*, test_model, range_model, panel_model) -> int:
    """Create or update the starting catalogue; returns the number of tests."""
    by_code = {}
    for row in TESTS:
        code, loinc, name, specimen, kind, unit, decimals, crit_lo, crit_hi = row[:9]
        normal, ranges = row[9], row[10]
        test, _created = test_model.objects.update_or_create(
            loinc=loinc,
            defaults={
                "code": code,
                "name": name,
                "specimen_type": specimen,
                "result_type": kind,
                "unit": unit,
                "decimals": decimals,
                "critical_low": _dec(crit_lo),
                "critical_high": _dec(crit_hi),
                "normal_values": normal,
            },
        )
        by_code[code] = test
        if not range_model.objects.filter(test=test).exists():
            for sex, age_min, age_max, low, high in ranges:
                range_model.objects.create(
                    test=test,
                    sex=sex,
                    age_min_years=age_min,
                    age_max_years=age_max,
                    low=_dec(low),
                    high=_dec(high),
                )
    for code, loinc, name, members in PANELS:
        panel, _created = panel_model.objects.update_or_create(
            code=code, defaults={"name": name, "loinc": loinc}
        )
        panel.tests.set([by_code[member] for member in members])
    return len(by_code)
