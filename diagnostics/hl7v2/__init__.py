"""HL7 v2.5.1 ORU^R01 results: reading messages (parsing.py) and applying them
(importer.py)."""
