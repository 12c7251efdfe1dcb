"""A labelled set of credentials in the published formats of the providers MCP servers hold keys for,
and the forms those servers hold them in.

Every value is generated here, at run time, from a seeded random source and the provider's documented
shape (prefix, alphabet, length, checksum or structure), so no real-looking secret is stored in the
repository. ``vectors()`` gives (provider, group, env name, value, expected rule); ``FORMS`` turns one
vector into a file (name and text) plus the line that holds the value; ``placeholders()`` gives values
that must never be reported, and ``negatives()`` random-looking values that are not credentials
(digests, UUIDs, public keys, ids) under the names servers give them.
"""
from __future__ import annotations

import base64
import json
import random
import string
import zlib
from dataclasses import dataclass
from typing import Callable

HEX = "0123456789abcdef"
HEX_UPPER = "0123456789ABCDEF"
ALNUM = string.ascii_letters + string.digits
LOWER_ALNUM = string.ascii_lowercase + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits
B32_UPPER = string.ascii_uppercase + "234567"
B32_LOWER = string.ascii_lowercase + "234567"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


@dataclass(frozen=True)
class Vector:
    provider: str
    group: str  # "ai", "saas", "cloud", "generic"
    env: str  # the environment variable name servers read it from
    value: str
    rule: str  # the rule expected to report it


class Gen:
    """Random pieces drawn from one seeded source."""

    def __init__(self, seed: int = 15):
        self.rng = random.Random(seed)

    def s(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def uuid(self) -> str:
        h = self.s(HEX, 32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    def b64_bytes(self, n: int, urlsafe: bool = False) -> str:
        raw = bytes(self.rng.randrange(256) for _ in range(n))
        return (base64.urlsafe_b64encode(raw) if urlsafe else base64.b64encode(raw)).decode()

    def crc_token(self, prefix: str) -> str:
        body = self.s(ALNUM, 30)
        number, digits = zlib.crc32(body.encode()), []
        while number:
            number, rest = divmod(number, 62)
            digits.append(BASE62[rest])
        return prefix + body + "".join(reversed(digits)).rjust(6, "0")

    def jwt(self, payload: dict) -> str:
        def seg(obj: dict) -> str:
            return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")
        return f"{seg({'alg': 'HS256', 'typ': 'JWT'})}.{seg(payload)}.{self.b64_bytes(32, True).rstrip('=')}"

    def pem(self) -> str:
        body = self.b64_bytes(600)
        lines = [body[i:i + 64] for i in range(0, len(body), 64)]
        return "-----BEGIN PRIVATE KEY-----\\n" + "\\n".join(lines) + "\\n-----END PRIVATE KEY-----\\n"


Maker = Callable[[Gen], str]

# provider, group, env name, expected rule, value maker (from the provider's published format)
SPECS: list[tuple[str, str, str, str, Maker]] = [
    # --- AI and LLM providers
    ("openai", "ai", "OPENAI_API_KEY", "openai-api-key",
     lambda g: "sk-proj-" + g.s(B64URL, 74) + "T3BlbkFJ" + g.s(B64URL, 74)),
    ("anthropic", "ai", "ANTHROPIC_API_KEY", "anthropic-api-key",
     lambda g: "sk-ant-api03-" + g.s(B64URL, 93) + "AA"),
    ("deepseek", "ai", "DEEPSEEK_API_KEY", "deepseek-api-key", lambda g: "sk-" + g.s(HEX, 32)),
    ("deepgram", "ai", "DEEPGRAM_API_KEY", "deepgram-api-key", lambda g: g.s(HEX, 40)),
    ("elevenlabs", "ai", "ELEVENLABS_API_KEY", "elevenlabs-api-key", lambda g: "sk_" + g.s(HEX, 48)),
    ("elevenlabs-legacy", "ai", "ELEVEN_API_KEY", "elevenlabs-api-key-legacy", lambda g: g.s(HEX, 32)),
    ("assemblyai", "ai", "ASSEMBLYAI_API_KEY", "assemblyai-api-key", lambda g: g.s(HEX, 32)),
    ("mistral", "ai", "MISTRAL_API_KEY", "mistral-api-key", lambda g: g.s(ALNUM, 32)),
    ("cohere", "ai", "COHERE_API_KEY", "cohere-api-key", lambda g: g.s(ALNUM, 40)),
    ("together", "ai", "TOGETHER_API_KEY", "together-api-key", lambda g: g.s(HEX, 64)),
    ("together-v1", "ai", "TOGETHER_API_KEY", "together-api-key-v1", lambda g: "tgp_v1_" + g.s(B64URL, 43)),
    ("fireworks", "ai", "FIREWORKS_API_KEY", "fireworks-api-key", lambda g: "fw_" + g.s(ALNUM, 24)),
    ("groq", "ai", "GROQ_API_KEY", "groq-api-key", lambda g: "gsk_" + g.s(ALNUM, 52)),
    ("xai", "ai", "XAI_API_KEY", "xai-api-key", lambda g: "xai-" + g.s(ALNUM, 80)),
    ("perplexity", "ai", "PERPLEXITY_API_KEY", "perplexity-api-key", lambda g: "pplx-" + g.s(ALNUM, 48)),
    ("replicate", "ai", "REPLICATE_API_TOKEN", "replicate-api-token", lambda g: "r8_" + g.s(ALNUM, 37)),
    ("huggingface", "ai", "HF_TOKEN", "huggingface-token", lambda g: "hf_" + g.s(string.ascii_letters, 34)),
    ("openrouter", "ai", "OPENROUTER_API_KEY", "openrouter-api-key", lambda g: "sk-or-v1-" + g.s(HEX, 64)),
    ("google-ai", "ai", "GEMINI_API_KEY", "google-api-key", lambda g: "AIza" + g.s(B64URL, 35)),
    # --- search, data and vector stores
    ("brave", "saas", "BRAVE_API_KEY", "brave-search-api-key", lambda g: "BSA" + g.s(B64URL, 28)),
    ("exa", "saas", "EXA_API_KEY", "exa-api-key", lambda g: g.uuid()),
    ("tavily", "saas", "TAVILY_API_KEY", "tavily-api-key", lambda g: "tvly-dev-" + g.s(ALNUM, 32)),
    ("serpapi", "saas", "SERPAPI_API_KEY", "serpapi-api-key", lambda g: g.s(HEX, 64)),
    ("firecrawl", "saas", "FIRECRAWL_API_KEY", "firecrawl-api-key", lambda g: "fc-" + g.s(HEX, 32)),
    ("browserbase", "saas", "BROWSERBASE_API_KEY", "browserbase-api-key", lambda g: "bb_live_" + g.s(B64URL, 27)),
    ("browserbase-legacy", "saas", "BROWSERBASE_API_KEY", "browserbase-api-key-legacy", lambda g: g.s(ALNUM, 32)),
    ("airtable-legacy", "saas", "AIRTABLE_API_KEY", "airtable-api-key-legacy", lambda g: "key" + g.s(ALNUM, 14)),
    ("pinecone", "saas", "PINECONE_API_KEY", "pinecone-api-key", lambda g: "pcsk_" + g.s(ALNUM, 6) + "_" + g.s(ALNUM, 63)),
    ("pinecone-legacy", "saas", "PINECONE_API_KEY", "pinecone-api-key-legacy", lambda g: g.uuid()),
    ("qdrant", "saas", "QDRANT_API_KEY", "qdrant-api-key", lambda g: g.uuid() + "|" + g.s(B64URL, 40)),
    ("weaviate", "saas", "WEAVIATE_API_KEY", "weaviate-api-key", lambda g: g.s(ALNUM, 40)),
    ("neon", "saas", "NEON_API_KEY", "neon-api-key", lambda g: "napi_" + g.s(LOWER_ALNUM, 64)),
    ("planetscale", "saas", "PLANETSCALE_SERVICE_TOKEN", "planetscale-token", lambda g: "pscale_tkn_" + g.s(B64URL, 43)),
    ("upstash", "saas", "UPSTASH_REDIS_REST_TOKEN", "upstash-token", lambda g: "AX" + g.s(ALNUM, 2) + "ASQ" + g.s(B64URL, 60)),
    ("supabase-pat", "saas", "SUPABASE_ACCESS_TOKEN", "supabase-access-token", lambda g: "sbp_" + g.s(HEX, 40)),
    ("supabase-service", "saas", "SUPABASE_SERVICE_ROLE_KEY", "supabase-service-key",
     lambda g: g.jwt({"iss": "supabase", "ref": g.s(string.ascii_lowercase, 20), "role": "service_role",
                      "iat": 1700000000, "exp": 2015576000})),
    ("linear", "saas", "LINEAR_API_KEY", "linear-api-key", lambda g: "lin_api_" + g.s(ALNUM, 40)),
    ("notion", "saas", "NOTION_TOKEN", "notion-token", lambda g: "ntn_" + g.s(string.digits, 11) + g.s(ALNUM, 35)),
    ("atlassian", "saas", "JIRA_API_TOKEN", "atlassian-api-token",
     lambda g: "ATATT3xFfGF0" + g.s(B64URL, 170) + "=" + g.s(HEX_UPPER, 8)),
    ("atlassian-legacy", "saas", "CONFLUENCE_API_TOKEN", "atlassian-api-token-legacy", lambda g: g.s(ALNUM, 24)),
    ("airtable", "saas", "AIRTABLE_API_KEY", "airtable-pat", lambda g: "pat" + g.s(ALNUM, 14) + "." + g.s(HEX, 64)),
    ("figma", "saas", "FIGMA_API_KEY", "figma-pat", lambda g: "figd_" + g.s(B64URL, 40)),
    ("figma-legacy", "saas", "FIGMA_ACCESS_TOKEN", "figma-pat-legacy",
     lambda g: g.s(string.digits, 6) + "-" + g.uuid()),
    ("vercel", "saas", "VERCEL_TOKEN", "vercel-token", lambda g: g.s(ALNUM, 24)),
    ("netlify", "saas", "NETLIFY_AUTH_TOKEN", "netlify-pat", lambda g: "nfp_" + g.s(ALNUM, 36)),
    ("netlify-legacy", "saas", "NETLIFY_AUTH_TOKEN", "netlify-token", lambda g: g.s(B64URL, 43)),
    ("pagerduty", "saas", "PAGERDUTY_API_TOKEN", "pagerduty-api-key", lambda g: "u+" + g.s(B64URL, 18)),
    ("sentry", "saas", "SENTRY_AUTH_TOKEN", "sentry-auth-token", lambda g: "sntryu_" + g.s(HEX, 64)),
    ("sentry-legacy", "saas", "SENTRY_AUTH_TOKEN", "sentry-auth-token-legacy", lambda g: g.s(HEX, 64)),
    ("datadog", "saas", "DD_API_KEY", "datadog-api-key", lambda g: g.s(HEX, 32)),
    ("newrelic-license", "saas", "NEW_RELIC_LICENSE_KEY", "newrelic-license-key", lambda g: g.s(HEX, 32) + "FFFFNRAL"),
    ("newrelic-license-legacy", "saas", "NEW_RELIC_LICENSE_KEY", "newrelic-license-key-legacy", lambda g: g.s(HEX, 40)),
    ("newrelic-insert", "saas", "NEW_RELIC_INSERT_KEY", "newrelic-insert-query-key", lambda g: "NRII-" + g.s(B64URL, 32)),
    ("newrelic-query", "saas", "NEW_RELIC_QUERY_KEY", "newrelic-insert-query-key", lambda g: "NRIQ-" + g.s(B64URL, 32)),
    ("newrelic-browser", "saas", "NEW_RELIC_BROWSER_KEY", "newrelic-browser-key", lambda g: "NRJS-" + g.s(HEX, 19)),
    ("newrelic-user", "saas", "NEW_RELIC_API_KEY", "newrelic-user-key", lambda g: "NRAK-" + g.s(UPPER_ALNUM, 27)),
    ("github", "saas", "GITHUB_TOKEN", "github-pat-classic", lambda g: g.crc_token("ghp_")),
    ("gitlab", "saas", "GITLAB_TOKEN", "gitlab-pat", lambda g: "glpat-" + g.s(B64URL, 20)),
    ("slack", "saas", "SLACK_BOT_TOKEN", "slack-token",
     lambda g: f"xoxb-{g.s(string.digits, 12)}-{g.s(string.digits, 13)}-{g.s(ALNUM, 24)}"),
    ("stripe", "saas", "STRIPE_SECRET_KEY", "stripe-live-secret-key", lambda g: "sk_live_" + g.s(ALNUM, 99)),
    ("npm", "saas", "NPM_TOKEN", "npm-access-token", lambda g: g.crc_token("npm_")),
    # --- cloud
    ("aws", "cloud", "AWS_ACCESS_KEY_ID", "aws-access-key-id", lambda g: "AKIA" + g.s(B32_UPPER, 16)),
    ("aws-secret", "cloud", "AWS_SECRET_ACCESS_KEY", "aws-secret-access-key", lambda g: g.s(B64, 40)),
    ("azure-storage", "cloud", "AZURE_STORAGE_CONNECTION_STRING", "azure-storage-connection-string",
     lambda g: f"DefaultEndpointsProtocol=https;AccountName={g.s(string.ascii_lowercase, 10)};"
               f"AccountKey={g.b64_bytes(64)};EndpointSuffix=core.windows.net"),
    ("azure-cosmos", "cloud", "COSMOS_CONNECTION_STRING", "azure-cosmos-connection-string",
     lambda g: f"AccountEndpoint=https://{g.s(string.ascii_lowercase, 9)}.documents.azure.com:443/;"
               f"AccountKey={g.b64_bytes(64)};"),
    ("azure-service-bus", "cloud", "SERVICEBUS_CONNECTION_STRING", "azure-service-bus-connection-string",
     lambda g: f"Endpoint=sb://{g.s(string.ascii_lowercase, 8)}.servicebus.windows.net/;"
               f"SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={g.b64_bytes(32)}"),
    ("azure-app-config", "cloud", "APPCONFIG_CONNECTION_STRING", "azure-app-configuration-connection-string",
     lambda g: f"Endpoint=https://{g.s(string.ascii_lowercase, 8)}.azconfig.io;"
               f"Id={g.s(ALNUM, 4)}-l{g.s(string.digits, 1)}-s{g.s(string.digits, 1)}:{g.s(ALNUM, 20)};"
               f"Secret={g.b64_bytes(32)}"),
    ("azure-sas-url", "cloud", "AZURE_BLOB_SAS_URL", "azure-storage-sas-url",
     lambda g: f"https://{g.s(string.ascii_lowercase, 10)}.blob.core.windows.net/data?sv=2022-11-02&ss=b&srt=co"
               f"&sp=rl&se=2027-01-01T00:00:00Z&st=2026-01-01T00:00:00Z&spr=https"
               f"&sig={g.b64_bytes(32).replace('+', '%2B').replace('/', '%2F').replace('=', '%3D')}"),
    ("azure-devops", "cloud", "AZURE_DEVOPS_PAT", "azure-devops-pat-legacy", lambda g: g.s(B32_LOWER, 52)),
    ("azure-devops-v2", "cloud", "AZURE_DEVOPS_EXT_PAT", "azure-devops-pat",
     lambda g: g.s(ALNUM, 52) + "JQQJ99" + "B" + g.s(ALNUM, 17) + "AZDO" + g.s(ALNUM, 4)),
    ("azure-ad-secret", "cloud", "AZURE_CLIENT_SECRET", "azure-ad-client-secret",
     lambda g: g.s(ALNUM, 3) + g.s(string.digits, 1) + "Q~" + g.s(ALNUM + "_~.-", 34)),
    ("azure-ad-secret-legacy", "cloud", "AZURE_CLIENT_SECRET", "azure-ad-client-secret-legacy",
     lambda g: g.b64_bytes(32)),
    ("azure-ad-refresh", "cloud", "AZURE_REFRESH_TOKEN", "azure-ad-refresh-token",
     lambda g: "0.A" + g.s(B64URL, 120) + ".Ag" + g.s(B64URL, 300) + ".A" + g.s(B64URL, 200)),
    ("gcp-service-account", "cloud", "GOOGLE_APPLICATION_CREDENTIALS_JSON", "gcp-service-account-key",
     lambda g: '{"type": "service_account", "project_id": "mcp-' + g.s(string.ascii_lowercase, 6) + '", '
               '"private_key_id": "' + g.s(HEX, 40) + '", "private_key": "' + g.pem() + '", '
               '"client_email": "mcp@mcp-demo.iam.gserviceaccount.com"}'),
    ("cloudflare", "cloud", "CLOUDFLARE_API_TOKEN", "cloudflare-api-token", lambda g: g.s(B64URL, 40)),
    ("digitalocean", "cloud", "DIGITALOCEAN_TOKEN", "digitalocean-token", lambda g: "dop_v1_" + g.s(HEX, 64)),
    ("digitalocean-legacy", "cloud", "DIGITALOCEAN_ACCESS_TOKEN", "digitalocean-token-legacy", lambda g: g.s(HEX, 64)),
    ("azure-openai", "ai", "AZURE_OPENAI_API_KEY", "azure-openai-api-key", lambda g: g.s(HEX, 32)),
    ("azure-storage-key", "cloud", "AZURE_STORAGE_ACCOUNT_KEY", "azure-storage-account-key", lambda g: g.b64_bytes(64)),
    ("azure-redis", "cloud", "REDIS_CONNECTION_STRING", "azure-redis-connection-string",
     lambda g: f"{g.s(string.ascii_lowercase, 8)}.redis.cache.windows.net:6380,password={g.b64_bytes(32)},ssl=True,abortConnect=False"),
    ("cloudflare-v2", "cloud", "CLOUDFLARE_API_TOKEN", "cloudflare-api-token-v2", lambda g: "cfut_" + g.s(ALNUM, 40) + g.s(HEX, 8)),
    # --- generic formats
    ("jdbc", "generic", "JDBC_URL", "jdbc-url-password",
     lambda g: f"jdbc:postgresql://db.internal:5432/app?user=mcp&password={g.s(ALNUM, 18)}"),
    ("jdbc-sqlserver", "generic", "JDBC_URL", "jdbc-url-password",
     lambda g: f"jdbc:sqlserver://sql.internal:1433;databaseName=app;user=mcp;password={g.s(ALNUM, 18)};"),
    ("redis", "generic", "REDIS_URL", "url-embedded-password",
     lambda g: f"redis://:{g.s(ALNUM, 24)}@cache.internal:6379/0"),
    ("rediss-upstash", "generic", "REDIS_URL", "url-embedded-password",
     lambda g: f"rediss://default:{g.s(B64, 40)}@{g.s(string.ascii_lowercase, 10)}.upstash.io:6379"),
    ("postgres-url", "generic", "DATABASE_URL", "url-embedded-password",
     lambda g: f"postgresql://app:{g.s(ALNUM, 20)}@db.internal:5432/app"),
    ("jwt", "generic", "SERVICE_JWT", "jwt-token",
     lambda g: g.jwt({"sub": g.s(string.digits, 8), "scope": "tools:call", "exp": 4102444800})),
]


def vectors(seed: int = 15, per_spec: int = 1) -> list[Vector]:
    gen = Gen(seed)
    out = []
    for provider, group, env, rule, make in SPECS:
        for _ in range(per_spec):
            out.append(Vector(provider, group, env, make(gen), rule))
    return out


# --- forms: where a server holds the value ------------------------------------------------------

def _py_quote(value: str) -> str:
    return "'" + value + "'" if '"' in value else '"' + value + '"'


def python_assignment(v: Vector) -> tuple[str, str, int]:
    return "server.py", f"import os\n\n{v.env} = {_py_quote(v.value)}\n", 3


def environ_default(v: Vector) -> tuple[str, str, int]:
    text = f"import os\n\napi_key = os.environ.get(\"{v.env}\", {_py_quote(v.value)})\n"
    return "server.py", text, 3


def dotenv_line(v: Vector) -> tuple[str, str, int]:
    value = v.value if '"' not in v.value else "'" + v.value + "'"
    return ".env", f"# server settings\n{v.env}={value}\n", 2


def client_config(v: Vector) -> tuple[str, str, int]:
    server = {"command": "npx", "args": ["-y", "@acme/mcp-server@1.2.0"], "env": {v.env: v.value}}
    text = json.dumps({"mcpServers": {"acme": server}}, indent=2) + "\n"
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if f'"{v.env}"' in ln)
    return ".cursor/mcp.json", text, line


FORMS: dict[str, Callable[[Vector], tuple[str, str, int]]] = {
    "python assignment": python_assignment,
    "os.environ.get default": environ_default,
    ".env line": dotenv_line,
    "client config env": client_config,
}


# --- negatives ----------------------------------------------------------------------------------

PLACEHOLDERS: list[tuple[str, str]] = [
    ("OPENAI_API_KEY", "sk-your-openai-api-key-here"),
    ("OPENAI_API_KEY", "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    ("ANTHROPIC_API_KEY", "sk-ant-api03-..."),
    ("ANTHROPIC_API_KEY", "<your-anthropic-key>"),
    ("GITHUB_TOKEN", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    ("GITHUB_TOKEN", "${GITHUB_TOKEN}"),
    ("SLACK_BOT_TOKEN", "xoxb-your-bot-token"),
    ("SLACK_CONFIG_TOKEN", "xoxe.xoxp-1-YourConfigurationTokenHere"),
    ("GEMINI_API_KEY", "AIzaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
    ("GEMINI_API_KEY", "AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
    ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
    ("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("DEEPGRAM_API_KEY", "your_deepgram_api_key"),
    ("DEEPGRAM_API_KEY", "0000000000000000000000000000000000000000"),
    ("EXA_API_KEY", "00000000-0000-0000-0000-000000000000"),
    ("DATABASE_URL", "postgresql://user:password@localhost:5432/db"),
    ("REDIS_URL", "redis://:${REDIS_PASSWORD}@localhost:6379"),
    ("JDBC_URL", "jdbc:mysql://localhost:3306/app?user=root&password=changeme"),
    ("AZURE_STORAGE_CONNECTION_STRING", "DefaultEndpointsProtocol=https;AccountName=<name>;AccountKey=<key>"),
    ("AZURE_STORAGE_CONNECTION_STRING", "UseDevelopmentStorage=true"),
    ("AZURE_CLIENT_SECRET", "<client-secret>"),
    ("FIGMA_API_KEY", "figd_..."),
    ("NOTION_TOKEN", "secret_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    ("STRIPE_SECRET_KEY", "sk_test_..."),
    ("API_KEY", "changeme"),
    ("API_KEY", "replace-with-your-key"),
    ("TAVILY_API_KEY", "tvly-YOUR_API_KEY"),
    ("FIRECRAWL_API_KEY", "fc-YOUR_API_KEY"),
    ("GITLAB_TOKEN", "glpat-xxxxxxxxxxxxxxxxxxxx"),
    ("PINECONE_API_KEY", "pcsk_..."),
]


# values that look random but are not credentials, under the names servers give them
NEGATIVE_SPECS: list[tuple[str, Maker]] = [
    ("CACHE_KEY", lambda g: g.s(HEX, 32)),
    ("CACHE_KEY", lambda g: g.s(HEX, 64)),
    ("IDEMPOTENCY_KEY", lambda g: g.uuid()),
    ("REQUEST_ID", lambda g: g.uuid()),
    ("SORT_KEY", lambda g: g.s(HEX, 40)),
    ("PARTITION_KEY", lambda g: g.uuid()),
    ("COMMIT_SHA", lambda g: g.s(HEX, 40)),
    ("IMAGE_DIGEST", lambda g: "sha256:" + g.s(HEX, 64)),
    ("PACKAGE_INTEGRITY", lambda g: "sha512-" + g.b64_bytes(64)),
    ("STRIPE_PUBLISHABLE_KEY", lambda g: "pk_live_" + g.s(ALNUM, 99)),
    ("SUPABASE_ANON_KEY", lambda g: g.jwt({"iss": "supabase", "ref": g.s(string.ascii_lowercase, 20), "role": "anon",
                                           "iat": 1700000000, "exp": 2015576000})),
    ("GITLAB_TOKEN", lambda g: "glpat-" + g.s(B64URL, 23)),
    ("AZURE_CLIENT_ID", lambda g: g.uuid()),
    ("AZURE_TENANT_ID", lambda g: g.uuid()),
    ("GOOGLE_CLIENT_ID", lambda g: g.s(string.digits, 12) + "-" + g.s(LOWER_ALNUM, 32) + ".apps.googleusercontent.com"),
    ("SSH_PUBLIC_KEY", lambda g: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA" + g.s(B64, 43)),
    ("TRACE_ID", lambda g: g.s(HEX, 32)),
    ("SESSION_TTL_SECONDS", lambda g: g.s(string.digits, 5)),
    ("MODEL_NAME", lambda g: "claude-sonnet-4-" + g.s(string.digits, 8)),
    ("WEBHOOK_URL", lambda g: "https://hooks.acme.io/in/" + g.s(LOWER_ALNUM, 24)),
]


def negatives(seed: int = 15, per_spec: int = 1) -> list[Vector]:
    gen = Gen(seed)
    return [Vector("negative", "negative", env, make(gen), "") for env, make in NEGATIVE_SPECS for _ in range(per_spec)]


def placeholders() -> list[Vector]:
    return [Vector("placeholder", "negative", env, value, "") for env, value in PLACEHOLDERS]

