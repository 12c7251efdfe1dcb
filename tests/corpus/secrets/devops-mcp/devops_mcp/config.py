"""Settings of the devops MCP server."""
import os


AWS_ACCESS_KEY_ID = "AKIAVPQPIYCRCPQ26FBQ"  # expect: aws-access-key-id
AWS_ACCESS_KEY_ID_FROM_ENV = os.environ.get("AWS_ACCESS_KEY_ID", "AKIAXXXXXXXXXXXXXXXX")  # ok: aws-access-key-id
AWS_SECRET_ACCESS_KEY = "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"  # expect: aws-secret-access-key
AWS_SECRET_ACCESS_KEY_FROM_ENV = os.environ.get("AWS_SECRET_ACCESS_KEY", "${AWS_SECRET_ACCESS_KEY}")  # ok: aws-secret-access-key
GITHUB_TOKEN = "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"  # expect: github-pat-classic
GITHUB_TOKEN_FROM_ENV = os.environ.get("GITHUB_TOKEN", "ghp_<your-token-here>")  # ok: github-pat-classic
GITHUB_PERSONAL_ACCESS_TOKEN = "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"  # expect: github-fine-grained-pat
GITHUB_PERSONAL_ACCESS_TOKEN_FROM_ENV = os.environ.get("GITHUB_PERSONAL_ACCESS_TOKEN", "github_pat_XXXXXXXXXXXXXXXXXXXXXX_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX")  # ok: github-fine-grained-pat
GITLAB_PERSONAL_ACCESS_TOKEN = "glpat-1vKourhcBbCucsCZICIB"  # expect: gitlab-pat
GITLAB_PERSONAL_ACCESS_TOKEN_FROM_ENV = os.environ.get("GITLAB_PERSONAL_ACCESS_TOKEN", "glpat-<token>")  # ok: gitlab-pat
GITLAB_DEPLOY_TOKEN = "gldt-FjafNjQK0cGLyLqtbtO4"  # expect: gitlab-token
GITLAB_DEPLOY_TOKEN_FROM_ENV = os.environ.get("GITLAB_DEPLOY_TOKEN", "gldt-<token>")  # ok: gitlab-token
DIGITALOCEAN_TOKEN = "dop_v1_3fb2f07b155d38f3f918773e0d87025c7a049826b3e64b7d68da163c946e1164"  # expect: digitalocean-token
DIGITALOCEAN_TOKEN_FROM_ENV = os.environ.get("DIGITALOCEAN_TOKEN", "dop_v1_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")  # ok: digitalocean-token
DATABRICKS_TOKEN = "dapi0fa05e69ec62c85c3bd429cdee263442"  # expect: databricks-token
DATABRICKS_TOKEN_FROM_ENV = os.environ.get("DATABRICKS_TOKEN", "dapi<token>")  # ok: databricks-token
CLOUDFLARE_API_TOKEN = "IoXVDgD71gOobNKz7W8QhFuLZJHif0Sx1eqI0oMG"  # expect: cloudflare-api-token
CLOUDFLARE_API_TOKEN_FROM_ENV = os.environ.get("CLOUDFLARE_API_TOKEN", "<cloudflare-token>")  # ok: cloudflare-api-token
CF_ORIGIN_CA_KEY = "v1.0-06b288b64a1aee736471a829-345a0afbb655e7bdaeb998fb3c355a51de25f20e37812fa34c56d9a10189a18ec3ae40e7d4d4d427d0285f3ac8985b6e63b0741ed48cd60c049bbedf72428ac269c88e3c0a5015c76c"  # expect: cloudflare-origin-ca-key
CF_ORIGIN_CA_KEY_FROM_ENV = os.environ.get("CF_ORIGIN_CA_KEY", "v1.0-xxxxxxxxxxxxxxxxxxxxxxxx-xxxx")  # ok: cloudflare-origin-ca-key
VAULT_TOKEN = "hvs.SsZNqnNGOxgNWViruE-bXe0WJJ_Qkh0O6Vetaogp7EME8uSryeTFueWJah8GTXzcJw2HU3j8qSQ2nk9waWgJAbBmz-"  # expect: hashicorp-vault-token
VAULT_TOKEN_FROM_ENV = os.environ.get("VAULT_TOKEN", "hvs.CAESIJ...")  # ok: hashicorp-vault-token
TF_TOKEN_app_terraform_io = "plqc5fjft5yigo.atlasv1.6kKyd7F7B4ERGIR7U6hBYi6zbzqbGvbseROJzHE7ka5fkOBycCKKYUKjs491SNZsuyT"  # expect: terraform-cloud-token
TF_TOKEN_app_terraform_io_FROM_ENV = os.environ.get("TF_TOKEN_app_terraform_io", "<terraform-token>")  # ok: terraform-cloud-token
DOPPLER_TOKEN = "dp.pt.3LlIbJ3j6Tc2lvJ9KT42TKg63fzbyxkKZsdxiVZ2UfD"  # expect: doppler-token
DOPPLER_TOKEN_FROM_ENV = os.environ.get("DOPPLER_TOKEN", "dp.pt.<personal-token>")  # ok: doppler-token
NPM_TOKEN = "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"  # expect: npm-access-token
NPM_TOKEN_FROM_ENV = os.environ.get("NPM_TOKEN", "npm_<token>")  # ok: npm-access-token
DOCKERHUB_TOKEN = "dckr_pat_ctpvO9O2Sw71uW1Jb5QgQgviCE6"  # expect: dockerhub-pat
DOCKERHUB_TOKEN_FROM_ENV = os.environ.get("DOCKERHUB_TOKEN", "dckr_pat_<token>")  # ok: dockerhub-pat
DD_API_KEY = "c9b3b145e0264f8f2f447f653c7c55a6"  # expect: datadog-api-key
DD_API_KEY_FROM_ENV = os.environ.get("DD_API_KEY", "00000000000000000000000000000000")  # ok: datadog-api-key
SENTRY_AUTH_TOKEN = "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"  # expect: sentry-auth-token
SENTRY_AUTH_TOKEN_FROM_ENV = os.environ.get("SENTRY_AUTH_TOKEN", "sntryu_<token>")  # ok: sentry-auth-token
GRAFANA_SERVICE_ACCOUNT_TOKEN = "glsa_165r1dy0U6UhTSUGavkmghRqycCDj6T9_86270b59"  # expect: grafana-token
GRAFANA_SERVICE_ACCOUNT_TOKEN_FROM_ENV = os.environ.get("GRAFANA_SERVICE_ACCOUNT_TOKEN", "glsa_<token>")  # ok: grafana-token
NEW_RELIC_API_KEY = "NRAK-1UXRZOT2YTLZLKM1Z3HXKHCVKC2"  # expect: newrelic-user-key
NEW_RELIC_API_KEY_FROM_ENV = os.environ.get("NEW_RELIC_API_KEY", "NRAK-XXXXXXXXXXXXXXXXXXXXXXXXXXX")  # ok: newrelic-user-key
PLANETSCALE_SERVICE_TOKEN = "pscale_tkn_FFWpC9u8HQhar5rtKBdD030UTUh4LRqAhRlK-Hjli4e"  # expect: planetscale-token
PLANETSCALE_SERVICE_TOKEN_FROM_ENV = os.environ.get("PLANETSCALE_SERVICE_TOKEN", "pscale_tkn_<token>")  # ok: planetscale-token
NEON_API_KEY = "napi_g1swp68sa8c5tzf19ds4arx21tyywu42pt0g5snss1kx28xrl30ox6xyuvf423ve"  # expect: neon-api-key
NEON_API_KEY_FROM_ENV = os.environ.get("NEON_API_KEY", "napi_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")  # ok: neon-api-key
HEROKU_API_KEY = "HRKU-AAvWumINEqMekvwJYHS69j1L0laOdvTt4YFXZmN1rYVTYUFgf_RxrTM6gFIT"  # expect: heroku-api-key
HEROKU_API_KEY_FROM_ENV = os.environ.get("HEROKU_API_KEY", "HRKU-<key>")  # ok: heroku-api-key
SOPS_AGE_KEY = "AGE-SECRET-KEY-10TLNHJJU5325J9NQGK8US7FMZEDWY7NVACWCET746JFN0RV2RVFY67EEF7"  # expect: age-secret-key
SOPS_AGE_KEY_FROM_ENV = os.environ.get("SOPS_AGE_KEY", "AGE-SECRET-KEY-1<key>")  # ok: age-secret-key

STORAGE = "DefaultEndpointsProtocol=https;AccountName=devopsmcplogs;AccountKey=uyZ5MjXHD9i1f1AWo1QZofW5cntS+IU91A51a+JBL+NPX8bB7SJa75Zp22cExPQk0jevv/MfYekeqxzUQs7RCw=="  # expect: azure-storage-connection-string
STORAGE_TEMPLATE = "DefaultEndpointsProtocol=https;AccountName=devopsmcplogs;AccountKey=<account-key>"  # ok: azure-storage-connection-string
REDIS_URL = "redis://default:aVzj320QMd10W*-ewWgG@cache.devops.internal:6379/0"  # expect: url-embedded-password
LOCAL_DB_URL = "postgresql://postgres:postgres@localhost:5432/devops"  # ok: url-embedded-password
DB_URL = f"postgresql://{os.environ['DB_USER']}:{os.environ['DB_PASSWORD']}@db:5432/devops"  # ok: url-embedded-password
DB_PASSWORD = "RcweLLw3o_SJ9IbD2a1T"  # expect: generic-secret-assignment
ADMIN_PASSWORD = os.environ["ADMIN_PASSWORD"]  # ok: generic-secret-assignment
TOKEN_TYPE = "bearer_access_token"  # ok: generic-secret-assignment
SIGNING_KEY = "-----BEGIN EC PRIVATE KEY-----\nYzDY25Hj8Y2IyaRLL/Zi7cyXPOIPGjIEJXWEpM5TFQAOqiLelmXfozvUrJDP0UoX\nxTKQLQlt8DpRCaG9XJdpWQyTl4j+Q9cFFo+T6nQJcgUnpQP27/phvOZrFpacn6lK\nupvet80nkf9G40HOjn8gxLQCgVTdWShbfA==\n-----END EC PRIVATE KEY-----\n"  # expect: private-key
SIGNING_KEY_DOCS = "-----BEGIN EC PRIVATE KEY-----\n...\n-----END EC PRIVATE KEY-----\n"  # ok: private-key

SERVICE_ACCOUNT_INFO = {
    "type": "service_account",
    "project_id": "devops-mcp-prod",
    "private_key_id": "1994cf950122b76208bf84bdac292d8f18e59d02",
    "private_key": "-----BEGIN PRIVATE KEY-----\n6FGGprEUpw3WQ5h+00oUkHVkk9qZhlinz8UX/6aNsuyZThIc21KXbpbPWv3v0g10\nu32b3ec7wzIJqSYopk02NtjVAxHq6BzOmj0Nc0g3WSPvOSc1Ya8n4a6JvRCTN1au\ngIyvrWb7lkdxfuCnjztikoYx1h7bcKcoMsUgaj429KFHhSklahaWoHtWpGvAIxM8\nGGTSk1sxJEw+3m5/H6kj+aLA6bXCRM64nYR0OX9UrGnE6atkUNxYKTzdINMLuYob\nNA0vh5TDpDyFiDUMJzp1x9DT6yGOJL4zaNwHiMyNOHbTMlWbJJmFQyd6kljkG7Cv\nUIz+q5MHJAvM96b1tZkZyU8RkIWkUWdglhgIeO6LaYiFVRmJYIWu3LVps5stQiAv\nw1MxC5OVmhG79Mdv\n-----END PRIVATE KEY-----\n",  # expect: gcp-service-account-key
    "client_email": "devops-mcp@devops-mcp-prod.iam.gserviceaccount.com",
}
