from django import template

from config.plotly_css import maplibre_style_id

register = template.Library()


@register.simple_tag
def plotly_maplibre_style_id():
    return maplibre_style_id()
