"""Blueprints of the payment gateway: the merchant's API, the payment page, test switches."""
