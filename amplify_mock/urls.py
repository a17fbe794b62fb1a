"""Amplify's endpoints, in the shape moto's url tables take."""

from ._dispatch import dispatch
from ._registration import HOST

url_bases = [
    r"(?i)https?://" + HOST,
]

url_paths = {
    "{0}/.*$": dispatch,
}
