# Models arrive with this app's issue; every one keeps `history = HistoricalRecords()`.
