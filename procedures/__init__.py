"""The procedure catalogue as data (one file per procedure) and its loader. No Flask."""

from procedures.loader import Catalogue, CatalogueError, load_catalogue

__all__ = ["Catalogue", "CatalogueError", "load_catalogue"]
