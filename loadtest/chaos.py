def campaign(clinic):
    raise NotImplementedError
