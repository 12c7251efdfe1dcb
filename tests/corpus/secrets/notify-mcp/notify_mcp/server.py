"""Notification tools of the notify MCP server."""
import os

import httpx


SLACK_BOT_TOKEN = "xoxb-608106875190-9170793037197-We7dUSWzyRfbRkMeriQGHtRg"  # expect: slack-token
SLACK_BOT_TOKEN_FROM_ENV = os.getenv("SLACK_BOT_TOKEN", "xoxb-0000000000-0000000000000-xxxxxxxxxxxxxxxxxxxxxxxx")  # ok: slack-token
SLACK_APP_TOKEN = "xapp-1-A7GAZ4H8JLV-4524437126040-b5aa1be87dbb876fa40d7b51e8af57c5cb3cee70cda4b1ed8d91a642141b105f"  # expect: slack-app-token
SLACK_APP_TOKEN_FROM_ENV = os.getenv("SLACK_APP_TOKEN", "xapp-1-...")  # ok: slack-app-token
SLACK_WEBHOOK_URL = "https://hooks.slack.com/services/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"  # expect: slack-webhook
SLACK_WEBHOOK_URL_FROM_ENV = os.getenv("SLACK_WEBHOOK_URL", "<slack-webhook-url>")  # ok: slack-webhook
DISCORD_TOKEN = "ODE5ODUzMTk3NzM5MjU5MDQ0MA.0JfSqE.tj6iy9Gr-Dlc_5EjzpKXF_JAnjESzRP-vldCe1"  # expect: discord-bot-token
DISCORD_TOKEN_FROM_ENV = os.getenv("DISCORD_TOKEN", "<discord-bot-token>")  # ok: discord-bot-token
DISCORD_WEBHOOK_URL = "https://discord.com/api/webhooks/317708025540888365/HmQbpgvxmhBOdzvGvIdqKfWYp5DujnNQePHSeIT8aA5PVmJMbNqrT6P1djBRjuyOgf8K"  # expect: discord-webhook
DISCORD_WEBHOOK_URL_FROM_ENV = os.getenv("DISCORD_WEBHOOK_URL", "https://discord.com/api/webhooks/123456789012345678/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")  # ok: discord-webhook
TELEGRAM_BOT_TOKEN = "4668974779:AAKDqXWOOChIYds07gdM1rcDZT4RstaG2vZ"  # expect: telegram-bot-token
TELEGRAM_BOT_TOKEN_FROM_ENV = os.getenv("TELEGRAM_BOT_TOKEN", "<telegram-bot-token>")  # ok: telegram-bot-token
TWILIO_API_KEY = "SKcc8a87e7fff50543c98570e79e6b47bb"  # expect: twilio-api-key
TWILIO_API_KEY_FROM_ENV = os.getenv("TWILIO_API_KEY", "SK00000000000000000000000000000000")  # ok: twilio-api-key
TWILIO_AUTH_TOKEN = "713c9cd4366948bde5fca7e36ba56d8b"  # expect: twilio-auth-token
TWILIO_AUTH_TOKEN_FROM_ENV = os.getenv("TWILIO_AUTH_TOKEN", "00000000000000000000000000000000")  # ok: twilio-auth-token
SENDGRID_API_KEY = "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"  # expect: sendgrid-api-key
SENDGRID_API_KEY_FROM_ENV = os.getenv("SENDGRID_API_KEY", "SG.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")  # ok: sendgrid-api-key
MAILGUN_API_KEY = "key-6170189dca8854d82c0e043431305157"  # expect: mailgun-api-key
MAILGUN_API_KEY_FROM_ENV = os.getenv("MAILGUN_API_KEY", "key-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")  # ok: mailgun-api-key
RESEND_API_KEY = "re_tVKY4EGw_4Ffhurj0KxHT8llJ1evaCDnS"  # expect: resend-api-key
RESEND_API_KEY_FROM_ENV = os.getenv("RESEND_API_KEY", "re_<key>")  # ok: resend-api-key
STRIPE_SECRET_KEY = "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"  # expect: stripe-live-secret-key
STRIPE_SECRET_KEY_FROM_ENV = os.getenv("STRIPE_SECRET_KEY", "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx")  # ok: stripe-live-secret-key
STRIPE_TEST_SECRET_KEY = "sk_test_5PilYyQy11FWal8tg7HWyvX0yxfqg2Cl0QaMoA70IlxxodX4IAfYGzMBXwU7zAUSsM9AZ7w3yz6DVuQ4GqA0Tz5w8NzAq4Dzlc8"  # expect: stripe-test-secret-key
STRIPE_TEST_SECRET_KEY_FROM_ENV = os.getenv("STRIPE_TEST_SECRET_KEY", "sk_test_xxxxxxxxxxxxxxxxxxxxxxxx")  # ok: stripe-test-secret-key
STRIPE_WEBHOOK_SECRET = "whsec_gmX5RpMbH6kVgD7FT7z6RpL8j4i6F6Fl"  # expect: stripe-webhook-secret
STRIPE_WEBHOOK_SECRET_FROM_ENV = os.getenv("STRIPE_WEBHOOK_SECRET", "whsec_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")  # ok: stripe-webhook-secret
SHOPIFY_ACCESS_TOKEN = "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"  # expect: shopify-token
SHOPIFY_ACCESS_TOKEN_FROM_ENV = os.getenv("SHOPIFY_ACCESS_TOKEN", "shpat_<token>")  # ok: shopify-token
SQUARE_ACCESS_TOKEN = "EAAA1VzR3CnCaioaQR08h-kUkS-ljIwz7YepUoIHqtTawxTDubODSsLy3YB97S6Y"  # expect: square-access-token
SQUARE_ACCESS_TOKEN_FROM_ENV = os.getenv("SQUARE_ACCESS_TOKEN", "EAAAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")  # ok: square-access-token

SENTRY_DSN = "https://f2114c9f003dd3177786064b8cc8aa31:5039ba67d38ebed87e20a250b185fc72@sentry.notify.internal/7"  # expect: sentry-dsn-secret
SENTRY_DSN_TEMPLATE = "https://<key>:<secret>@sentry.io/<project>"  # ok: sentry-dsn-secret
SMTP_PASSWORD = "hunter2"  # ok: generic-secret-assignment


def post_to_slack(text: str) -> None:
    httpx.post(SLACK_WEBHOOK_URL, json={"text": text})
