"""The page of a ``clinic.models.FileUpload`` while its job reads the file."""

from django.views.generic import DetailView


class UploadProgressView(DetailView):
    """An uploaded file while its job reads it, then its outcome: htmx polls the
    ``partial_template_name`` (the progress bar), a browser gets the page. The
    template names the row ``upload``."""

    context_object_name = "upload"
    partial_template_name = ""

    def get_template_names(self) -> list[str]:
        if self.request.htmx:
            return [self.partial_template_name]
        return super().get_template_names()
