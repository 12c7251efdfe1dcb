"""Webhook signature checks."""
import hmac

WEBHOOK_SECRET = "rAB*WjC~g2F3cWVVXTmc"  # expect: generic-secret-assignment
BROKER_URL = "amqp://notify:ZvmeT-R52-uwAyxOpShU@rabbitmq.test:5672/"  # expect: url-embedded-password


def test_signature():
    digest = hmac.new(WEBHOOK_SECRET.encode(), b"{}", "sha256").hexdigest()
    assert len(digest) == 64
