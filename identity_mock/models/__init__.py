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
from identity_mock.models.signin import LoginThrottle, SignInSession
from identity_mock.models.testing import CallRecord, Switch

__all__ = [
    "Account",
    "AuthorizationCode",
    "BirthNotice",
    "CallRecord",
    "Household",
    "IdpModel",
    "LoginThrottle",
    "OAuthClient",
    "Person",
    "PopulationAudit",
    "PopulationWrite",
    "Residence",
    "SignInSession",
    "Switch",
    "Token",
    "UsedJti",
    "utcnow",
]
