from training.help import help_for


def help_panel(request) -> dict:
    """The help entry of the page being drawn (base.html shows it beside the page)."""
    match = getattr(request, "resolver_match", None)
    return {"help_entry": help_for(match.view_name if match else None)}
