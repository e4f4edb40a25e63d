from django import template

register = template.Library()


@register.inclusion_tag("core/includes/pagination.html", takes_context=True)
def pagination(context, page, htmx_target=""):
    """Numbered page links (elided in the middle) that keep the other query parameters.

    With `htmx_target` the links also swap that element in place and push the address, so a
    list with htmx filters pages the same way; without JavaScript they are plain links.
    """
    return {
        "request": context["request"],
        "page": page,
        "page_links": page.paginator.get_elided_page_range(page.number, on_each_side=2,
                                                           on_ends=1),
        "htmx_target": htmx_target,
    }
