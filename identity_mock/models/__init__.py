"""Tables of the identity provider: population registry, accounts, OAuth and audit."""

from identity_mock.models.base import IdpModel, utcnow
from identity_mock.models.judicial import BusinessBan, Conviction
from identity_mock.models.oauth import AuthorizationCode, OAuthClient, Token, UsedJti
from identity_mock.models.population import (
    Account,
    BirthNotice,
    DeathNotice,
    Household,
    Person,
    PopulationAudit,
    PopulationWrite,
    Residence,
    SocialInsurance,
)
from identity_mock.models.signin import LoginThrottle, SignInSession
from identity_mock.models.testing import CallRecord, Switch

__all__ = [
    "Account",
    "AuthorizationCode",
    "BirthNotice",
    "BusinessBan",
    "CallRecord",
    "Conviction",
    "DeathNotice",
    "Household",
    "IdpModel",
    "LoginThrottle",
    "OAuthClient",
    "Person",
    "PopulationAudit",
    "PopulationWrite",
    "Residence",
    "SignInSession",
    "SocialInsurance",
    "Switch",
    "Token",
    "UsedJti",
    "utcnow",
]
