"""Tables of the identity provider: population registry, accounts, OAuth and audit."""

from identity_mock.models.base import IdpModel, utcnow
from identity_mock.models.oauth import AuthorizationCode, OAuthClient, Token, UsedJti
from identity_mock.models.population import (
    Account,
    BirthNotice,
    Household,
    Person,
    PopulationAudit,
    PopulationWrite,
    Residence,
)
from identity_mock.models.testing import CallRecord, Switch

__all__ = [
    "Account",
    "AuthorizationCode",
    "BirthNotice",
    "CallRecord",
    "Household",
    "IdpModel",
    "OAuthClient",
    "Person",
    "PopulationAudit",
    "PopulationWrite",
    "Residence",
    "Switch",
    "Token",
    "UsedJti",
    "utcnow",
]
