"""Amplify's endpoints, in the shape moto's url tables take."""

from ._dispatch import dispatch

url_bases = [
    r"https?://amplify(?:-fips)?\.(.+)\.amazonaws\.com",
]

url_paths = {
    "{0}/.*$": dispatch,
}
