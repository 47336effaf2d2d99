class ApplicationError(Exception):
    """A state of the clinic that forbids the action; the message is for the user."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
