"""Provider settings of a multi-provider MCP server: keys written in, keys read from the environment."""
import os

DEEPGRAM_API_KEY = "7a81a64cbce64f9d0560ed3d4c5fe7c0647eb21b"  # expect: deepgram-api-key
deepgram_api_key = os.environ.get("DEEPGRAM_API_KEY", "28a3d7f340b0c86302a559b5e40733a91fb0f8bb")  # expect: deepgram-api-key
DEEPGRAM_API_KEY = os.environ.get("DEEPGRAM_API_KEY", "")  # ok: deepgram-api-key
DEEPGRAM_API_KEY = "<deepgram-api-key>"  # ok: deepgram-api-key

DEEPSEEK_API_KEY = "sk-462f08dd0a6ff5977212ad441f050a12"  # expect: deepseek-api-key
deepseek_api_key = os.environ.get("DEEPSEEK_API_KEY", "sk-8fb0f149a17edfcaab71ba55c41d6989")  # expect: deepseek-api-key
DEEPSEEK_API_KEY = os.environ.get("DEEPSEEK_API_KEY", "")  # ok: deepseek-api-key
DEEPSEEK_API_KEY = "<deepseek-api-key>"  # ok: deepseek-api-key

ELEVENLABS_API_KEY = "sk_e928edbba16e8be76893fb18c8f98628c8f832d1fd9d0add"  # expect: elevenlabs-api-key
elevenlabs_api_key = os.environ.get("ELEVENLABS_API_KEY", "sk_e0630c2cb7faef3e2d79da6e3870f3da2c2458da1c9251f8")  # expect: elevenlabs-api-key
ELEVENLABS_API_KEY = os.environ.get("ELEVENLABS_API_KEY", "")  # ok: elevenlabs-api-key
ELEVENLABS_API_KEY = "<elevenlabs-api-key>"  # ok: elevenlabs-api-key

ELEVEN_API_KEY = "f67bf8440ae7e392ce37577e72ff3fe8"  # expect: elevenlabs-api-key-legacy
eleven_api_key = os.environ.get("ELEVEN_API_KEY", "cf37091aa2dbb8c9a8d1be9554cadd4a")  # expect: elevenlabs-api-key-legacy
ELEVEN_API_KEY = os.environ.get("ELEVEN_API_KEY", "")  # ok: elevenlabs-api-key-legacy
ELEVEN_API_KEY = "<eleven-api-key>"  # ok: elevenlabs-api-key-legacy

ASSEMBLYAI_API_KEY = "c97ba4f79e5acf677f65e15a157ab684"  # expect: assemblyai-api-key
assemblyai_api_key = os.environ.get("ASSEMBLYAI_API_KEY", "4115b912bafeefe148acb00080fa2be6")  # expect: assemblyai-api-key
ASSEMBLYAI_API_KEY = os.environ.get("ASSEMBLYAI_API_KEY", "")  # ok: assemblyai-api-key
ASSEMBLYAI_API_KEY = "<assemblyai-api-key>"  # ok: assemblyai-api-key

MISTRAL_API_KEY = "LY35hXGeVaMnz6kipuOzQLDDlg5XfXDb"  # expect: mistral-api-key
mistral_api_key = os.environ.get("MISTRAL_API_KEY", "bMNah8NxffBTPhDuSh9YAmzGR41GRXQZ")  # expect: mistral-api-key
MISTRAL_API_KEY = os.environ.get("MISTRAL_API_KEY", "")  # ok: mistral-api-key
MISTRAL_API_KEY = "<mistral-api-key>"  # ok: mistral-api-key

COHERE_API_KEY = "RPAFXsQKJeSUVnhCCoUFm0eL0YkJzyf7Fm11w3E5"  # expect: cohere-api-key
cohere_api_key = os.environ.get("COHERE_API_KEY", "gZQZFjqNNBTUY4WUU5atxeH1unKZtxIHiYLwozCN")  # expect: cohere-api-key
COHERE_API_KEY = os.environ.get("COHERE_API_KEY", "")  # ok: cohere-api-key
COHERE_API_KEY = "<cohere-api-key>"  # ok: cohere-api-key

TOGETHER_API_KEY = "0e2845e57b1837f344c6cf688a92fe5e11a07d23841c110280eca4b7949a09f0"  # expect: together-api-key
together_api_key = os.environ.get("TOGETHER_API_KEY", "823bbdb522ba1a12e8f1e9fe12ef993d321eec05603e12a9bd1c81f243a194d8")  # expect: together-api-key
TOGETHER_API_KEY = os.environ.get("TOGETHER_API_KEY", "")  # ok: together-api-key
TOGETHER_API_KEY = "<together-api-key>"  # ok: together-api-key

TOGETHER_API_KEY = "tgp_v1_oaKc7s6uxi05OhsaJJeISrtqsBksL7jlSjNUa84mr8A"  # expect: together-api-key-v1
together_api_key = os.environ.get("TOGETHER_API_KEY", "tgp_v1_UeI0Srv2t3FGPx0AsExTV8aevrBFTnRAmorb8Xh_uhL")  # expect: together-api-key-v1
TOGETHER_API_KEY = os.environ.get("TOGETHER_API_KEY", "")  # ok: together-api-key-v1
TOGETHER_API_KEY = "<together-api-key>"  # ok: together-api-key-v1

FIREWORKS_API_KEY = "fw_u9tajbDFG4HlF4TOHBhDIl00"  # expect: fireworks-api-key
fireworks_api_key = os.environ.get("FIREWORKS_API_KEY", "fw_JrSTcZLsaImPeEHhq57q89sM")  # expect: fireworks-api-key
FIREWORKS_API_KEY = os.environ.get("FIREWORKS_API_KEY", "")  # ok: fireworks-api-key
FIREWORKS_API_KEY = "<fireworks-api-key>"  # ok: fireworks-api-key

BRAVE_API_KEY = "BSAShoiJk-joAvapT_eiR1ogbvhOxc5"  # expect: brave-search-api-key
brave_api_key = os.environ.get("BRAVE_API_KEY", "BSAZ-RT9mLxhw0wq9neLB5wkFpahJQq")  # expect: brave-search-api-key
BRAVE_API_KEY = os.environ.get("BRAVE_API_KEY", "")  # ok: brave-search-api-key
BRAVE_API_KEY = "<brave-api-key>"  # ok: brave-search-api-key

EXA_API_KEY = "7fec3305-5b85-45b7-a675-ad95d8e7f469"  # expect: exa-api-key
exa_api_key = os.environ.get("EXA_API_KEY", "308a0adb-1506-4ac9-a97d-28376490bbb8")  # expect: exa-api-key
EXA_API_KEY = os.environ.get("EXA_API_KEY", "")  # ok: exa-api-key
EXA_API_KEY = "<exa-api-key>"  # ok: exa-api-key

SERPAPI_API_KEY = "c2b5ae059efbb160ae3ef17edc036c8cbcf7b1eed391cd998170f74a935438db"  # expect: serpapi-api-key
serpapi_api_key = os.environ.get("SERPAPI_API_KEY", "0f60f2253fb4cd6ea08ffd3df52c01d4b1b82d128d0bdb10cb37f3791ca771c5")  # expect: serpapi-api-key
SERPAPI_API_KEY = os.environ.get("SERPAPI_API_KEY", "")  # ok: serpapi-api-key
SERPAPI_API_KEY = "<serpapi-api-key>"  # ok: serpapi-api-key

BROWSERBASE_API_KEY = "bb_live_Z3uXbMPLxBFPSYusFh8HQJJJco7"  # expect: browserbase-api-key
browserbase_api_key = os.environ.get("BROWSERBASE_API_KEY", "bb_live_0SJWQJh60UMxQdk-3bryGaDTyFG")  # expect: browserbase-api-key
BROWSERBASE_API_KEY = os.environ.get("BROWSERBASE_API_KEY", "")  # ok: browserbase-api-key
BROWSERBASE_API_KEY = "<browserbase-api-key>"  # ok: browserbase-api-key

PINECONE_API_KEY = "d47a563a-bcad-4e9a-a3aa-bf0a0958ec12"  # expect: pinecone-api-key-legacy
pinecone_api_key = os.environ.get("PINECONE_API_KEY", "15420df6-04f8-4b42-a21d-c64c716fb0d9")  # expect: pinecone-api-key-legacy
PINECONE_API_KEY = os.environ.get("PINECONE_API_KEY", "")  # ok: pinecone-api-key-legacy
PINECONE_API_KEY = "<pinecone-api-key>"  # ok: pinecone-api-key-legacy

QDRANT_API_KEY = "be9bedcb-7c68-4faf-aeb0-8c4f11938aec|bJrnLRpPY9N59nI59jfLQvX-ACmK7uIJL2bMu7F1"  # expect: qdrant-api-key
qdrant_api_key = os.environ.get("QDRANT_API_KEY", "83b8db0d-7515-452d-acb4-01ccdb7b04ad|B0MfHkcOoFVUE8mheLzIESaYEpHWpUluvshiTlHd")  # expect: qdrant-api-key
QDRANT_API_KEY = os.environ.get("QDRANT_API_KEY", "")  # ok: qdrant-api-key
QDRANT_API_KEY = "<qdrant-api-key>"  # ok: qdrant-api-key

WEAVIATE_API_KEY = "S8pYOKO4LnCYLga3ZWb7ljcXbklpTaMxFNkJKO2D"  # expect: weaviate-api-key
weaviate_api_key = os.environ.get("WEAVIATE_API_KEY", "TgWDWqfdZ6D0Pv0CEHuq5cOPGJQcVS81lyTOrzQW")  # expect: weaviate-api-key
WEAVIATE_API_KEY = os.environ.get("WEAVIATE_API_KEY", "")  # ok: weaviate-api-key
WEAVIATE_API_KEY = "<weaviate-api-key>"  # ok: weaviate-api-key

UPSTASH_REDIS_REST_TOKEN = "AXaQASQ06nVHKLNRLL9har3d5du2MERFOAhSqVLh8ECZ5UwWiy2FLo-bSTA82EbllUn"  # expect: upstash-token
upstash_redis_rest_token = os.environ.get("UPSTASH_REDIS_REST_TOKEN", "AXVqASQR8G7X7W829rtSpEXOn6mS37_O1ewUrmTtSFOP-10KRgA3EXOI5x5oJH0eWce")  # expect: upstash-token
UPSTASH_REDIS_REST_TOKEN = os.environ.get("UPSTASH_REDIS_REST_TOKEN", "")  # ok: upstash-token
UPSTASH_REDIS_REST_TOKEN = "<upstash-redis-rest-token>"  # ok: upstash-token

SUPABASE_ACCESS_TOKEN = "sbp_940a7a11c31ffd449fbbe5a5ce5c36748d1f5581"  # expect: supabase-access-token
supabase_access_token = os.environ.get("SUPABASE_ACCESS_TOKEN", "sbp_d5a999a0bab544d186602d0a42ca5e1af23aaa1a")  # expect: supabase-access-token
SUPABASE_ACCESS_TOKEN = os.environ.get("SUPABASE_ACCESS_TOKEN", "")  # ok: supabase-access-token
SUPABASE_ACCESS_TOKEN = "<supabase-access-token>"  # ok: supabase-access-token

CONFLUENCE_API_TOKEN = "6KL8b4JUqV5kz8mTE7kKNAGB"  # expect: atlassian-api-token-legacy
confluence_api_token = os.environ.get("CONFLUENCE_API_TOKEN", "PyhDcTQmPqClU1DCH939Jd4L")  # expect: atlassian-api-token-legacy
CONFLUENCE_API_TOKEN = os.environ.get("CONFLUENCE_API_TOKEN", "")  # ok: atlassian-api-token-legacy
CONFLUENCE_API_TOKEN = "<confluence-api-token>"  # ok: atlassian-api-token-legacy

FIGMA_ACCESS_TOKEN = "736806-ed871450-2467-4d91-a2e7-7f69ed4ad891"  # expect: figma-pat-legacy
figma_access_token = os.environ.get("FIGMA_ACCESS_TOKEN", "951597-729ae609-e4f1-428b-a9ec-74cb6a085d20")  # expect: figma-pat-legacy
FIGMA_ACCESS_TOKEN = os.environ.get("FIGMA_ACCESS_TOKEN", "")  # ok: figma-pat-legacy
FIGMA_ACCESS_TOKEN = "<figma-access-token>"  # ok: figma-pat-legacy

VERCEL_TOKEN = "kmcpZ7UVfjVzODRs8o6grvav"  # expect: vercel-token
vercel_token = os.environ.get("VERCEL_TOKEN", "aSuk2RyHwc5f2oq2nP4daI13")  # expect: vercel-token
VERCEL_TOKEN = os.environ.get("VERCEL_TOKEN", "")  # ok: vercel-token
VERCEL_TOKEN = "<vercel-token>"  # ok: vercel-token

NETLIFY_AUTH_TOKEN = "n0krMxWrpxXYrL19wf8mbnRYHmPocN8B4aJwOR_nGN_"  # expect: netlify-token
netlify_auth_token = os.environ.get("NETLIFY_AUTH_TOKEN", "VjQwisctSWaT0dfdC0X_e9tei_Kwi8ktNAUxHtUobSt")  # expect: netlify-token
NETLIFY_AUTH_TOKEN = os.environ.get("NETLIFY_AUTH_TOKEN", "")  # ok: netlify-token
NETLIFY_AUTH_TOKEN = "<netlify-auth-token>"  # ok: netlify-token

NETLIFY_AUTH_TOKEN = "nfp_2y7Cd62Ops7jHB1tn9if3mhASpb1EPz2AneY"  # expect: netlify-pat
netlify_auth_token = os.environ.get("NETLIFY_AUTH_TOKEN", "nfp_QbmjStNEXbUOe8qrZko7qCmooE4Z3tj7tqiH")  # expect: netlify-pat
NETLIFY_AUTH_TOKEN = os.environ.get("NETLIFY_AUTH_TOKEN", "")  # ok: netlify-pat
NETLIFY_AUTH_TOKEN = "<netlify-auth-token>"  # ok: netlify-pat

PAGERDUTY_API_TOKEN = "u+pk1YV8oVm6rPGh-yWS"  # expect: pagerduty-api-key
pagerduty_api_token = os.environ.get("PAGERDUTY_API_TOKEN", "u+bWG7S51FyzMXp8mvPA")  # expect: pagerduty-api-key
PAGERDUTY_API_TOKEN = os.environ.get("PAGERDUTY_API_TOKEN", "")  # ok: pagerduty-api-key
PAGERDUTY_API_TOKEN = "<pagerduty-api-token>"  # ok: pagerduty-api-key

NEW_RELIC_LICENSE_KEY = "4855824cef2a7929411c5f37bf9bd40f5816eb8d"  # expect: newrelic-license-key-legacy
new_relic_license_key = os.environ.get("NEW_RELIC_LICENSE_KEY", "4c4034093f9290aa1e5132e8dcd999f3d8e2a79a")  # expect: newrelic-license-key-legacy
NEW_RELIC_LICENSE_KEY = os.environ.get("NEW_RELIC_LICENSE_KEY", "")  # ok: newrelic-license-key-legacy
NEW_RELIC_LICENSE_KEY = "<new-relic-license-key>"  # ok: newrelic-license-key-legacy

NEW_RELIC_LICENSE_KEY = "97b992671e8851738a06149994275270FFFFNRAL"  # expect: newrelic-license-key
new_relic_license_key = os.environ.get("NEW_RELIC_LICENSE_KEY", "16f9dac37bddeec5d50e5682d110aa03FFFFNRAL")  # expect: newrelic-license-key
NEW_RELIC_LICENSE_KEY = os.environ.get("NEW_RELIC_LICENSE_KEY", "")  # ok: newrelic-license-key
NEW_RELIC_LICENSE_KEY = "<new-relic-license-key>"  # ok: newrelic-license-key

NEW_RELIC_INSERT_KEY = "NRII-TZ-Hnz3gc2jCBRAO03as3_pvz7bWPqA2"  # expect: newrelic-insert-query-key
new_relic_insert_key = os.environ.get("NEW_RELIC_INSERT_KEY", "NRII-AdWAK4_WjsYV5ePsv5cbSfCpbL4DefTR")  # expect: newrelic-insert-query-key
NEW_RELIC_INSERT_KEY = os.environ.get("NEW_RELIC_INSERT_KEY", "")  # ok: newrelic-insert-query-key
NEW_RELIC_INSERT_KEY = "<new-relic-insert-key>"  # ok: newrelic-insert-query-key

NEW_RELIC_BROWSER_KEY = "NRJS-addbd03fd55ba1d8506"  # expect: newrelic-browser-key
new_relic_browser_key = os.environ.get("NEW_RELIC_BROWSER_KEY", "NRJS-d30ffdd658128bb8278")  # expect: newrelic-browser-key
NEW_RELIC_BROWSER_KEY = os.environ.get("NEW_RELIC_BROWSER_KEY", "")  # ok: newrelic-browser-key
NEW_RELIC_BROWSER_KEY = "<new-relic-browser-key>"  # ok: newrelic-browser-key

COSMOS_CONNECTION_STRING = "AccountEndpoint=https://yfdvbxluj.documents.azure.com:443/;AccountKey=FgBKlNG3AIEc+ixshNQNghbzQSKh8cJXzRkCeB9URRWIecLONyu3myojJScwBnDyyJjPA4ioeJojCudNa+DTQw==;"  # expect: azure-cosmos-connection-string
cosmos_connection_string = os.environ.get("COSMOS_CONNECTION_STRING", "AccountEndpoint=https://whzqqjfup.documents.azure.com:443/;AccountKey=ZLThx2VVqV0+iGk+Jgr7NoiZ77615ilzl4OCfoi90AzbkTw17dN0oqSmRhXwpsy1NPks60OIE2jey6YJ8pPv6g==;")  # expect: azure-cosmos-connection-string
COSMOS_CONNECTION_STRING = os.environ.get("COSMOS_CONNECTION_STRING", "")  # ok: azure-cosmos-connection-string
COSMOS_CONNECTION_STRING = "<cosmos-connection-string>"  # ok: azure-cosmos-connection-string

SERVICEBUS_CONNECTION_STRING = "Endpoint=sb://xeasyiog.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=e/1iSUiwiQTD+hS/lC5rDI9olm8I8KTu8KZqAv2Ia+c="  # expect: azure-service-bus-connection-string
servicebus_connection_string = os.environ.get("SERVICEBUS_CONNECTION_STRING", "Endpoint=sb://pxezytby.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=ZbZLgqUPz6CneXHqyrwiBk/a2agZFr6kbp4sM/N3cTA=")  # expect: azure-service-bus-connection-string
SERVICEBUS_CONNECTION_STRING = os.environ.get("SERVICEBUS_CONNECTION_STRING", "")  # ok: azure-service-bus-connection-string
SERVICEBUS_CONNECTION_STRING = "<servicebus-connection-string>"  # ok: azure-service-bus-connection-string

APPCONFIG_CONNECTION_STRING = "Endpoint=https://iinqokws.azconfig.io;Id=2JZn-l7-s6:RUrbgy57TVBudiRjV8Dj;Secret=hWgOOhLcIE0UH1Z/oEo37ECTTT6GXFsJziWLfp4kQgE="  # expect: azure-app-configuration-connection-string
appconfig_connection_string = os.environ.get("APPCONFIG_CONNECTION_STRING", "Endpoint=https://wvbchjbx.azconfig.io;Id=fgzo-l8-s5:iNi0QyBeD7UohqbVrzch;Secret=0UdrBxOq8UR4Flx08QS0CmlClMs/8myHLTN7jSep1m0=")  # expect: azure-app-configuration-connection-string
APPCONFIG_CONNECTION_STRING = os.environ.get("APPCONFIG_CONNECTION_STRING", "")  # ok: azure-app-configuration-connection-string
APPCONFIG_CONNECTION_STRING = "<appconfig-connection-string>"  # ok: azure-app-configuration-connection-string

AZURE_BLOB_SAS_URL = "https://urisypqzrk.blob.core.windows.net/data?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2027-01-01T00:00:00Z&st=2026-01-01T00:00:00Z&spr=https&sig=Yk4bP8M7AqbEN%2BjWuZocnyhW9Ohr0H%2Bjubj%2Bnz1q9P4%3D"  # expect: azure-storage-sas-url
azure_blob_sas_url = os.environ.get("AZURE_BLOB_SAS_URL", "https://ypqxjuntee.blob.core.windows.net/data?sv=2022-11-02&ss=b&srt=co&sp=rl&se=2027-01-01T00:00:00Z&st=2026-01-01T00:00:00Z&spr=https&sig=y2MS2hB%2BSXcP0HOu8R8PG1MSZSJDwFzzmU4VnfD4%2BpA%3D")  # expect: azure-storage-sas-url
AZURE_BLOB_SAS_URL = os.environ.get("AZURE_BLOB_SAS_URL", "")  # ok: azure-storage-sas-url
AZURE_BLOB_SAS_URL = "<azure-blob-sas-url>"  # ok: azure-storage-sas-url

AZURE_DEVOPS_EXT_PAT = "JLZof8t0RnnVs3x7t65Ee1H80TO4TLdOwpSw8sLNI1gQbGvsPYrqJQQJ99BjyIgnsjBkhDGrAjcXAZDOmBFJ"  # expect: azure-devops-pat
azure_devops_ext_pat = os.environ.get("AZURE_DEVOPS_EXT_PAT", "5VYggzYFivUnlMhwp4P3S16kHBUowqbe0o2bNHRz9Ek22mij1l3PJQQJ99BbI67hZUhFOZcnFA80AZDOrZfH")  # expect: azure-devops-pat
AZURE_DEVOPS_EXT_PAT = os.environ.get("AZURE_DEVOPS_EXT_PAT", "")  # ok: azure-devops-pat
AZURE_DEVOPS_EXT_PAT = "<azure-devops-ext-pat>"  # ok: azure-devops-pat

AZURE_DEVOPS_PAT = "bmodutqq2qoolnzcry5g452core7t3axvzpyceqtgr7saq6bz2na"  # expect: azure-devops-pat-legacy
azure_devops_pat = os.environ.get("AZURE_DEVOPS_PAT", "fu56u7zbixt7oets6z3taev4zt2zgensnxjgjb5sbp6zoyjpp7ls")  # expect: azure-devops-pat-legacy
AZURE_DEVOPS_PAT = os.environ.get("AZURE_DEVOPS_PAT", "")  # ok: azure-devops-pat-legacy
AZURE_DEVOPS_PAT = "<azure-devops-pat>"  # ok: azure-devops-pat-legacy

AZURE_CLIENT_SECRET = "kuY8Q~iRXPQeQ8CbDDy_I5PZjrzbdC7sIFxZMBgU"  # expect: azure-ad-client-secret
azure_client_secret = os.environ.get("AZURE_CLIENT_SECRET", "Wwo6Q~oPUdYWBw8q4GHJi5PuAciWD-k9opy~jbuE")  # expect: azure-ad-client-secret
AZURE_CLIENT_SECRET = os.environ.get("AZURE_CLIENT_SECRET", "")  # ok: azure-ad-client-secret
AZURE_CLIENT_SECRET = "<azure-client-secret>"  # ok: azure-ad-client-secret

AZURE_CLIENT_SECRET = "FXm0b3RLWq8NOde/5gJFbVHNuqHRhEha5mMG8iamRKA="  # expect: azure-ad-client-secret-legacy
azure_client_secret = os.environ.get("AZURE_CLIENT_SECRET", "kDxXFe3vMJ4KahTPqjhv1zORm+MvVLk2bMDzYxvtvRQ=")  # expect: azure-ad-client-secret-legacy
AZURE_CLIENT_SECRET = os.environ.get("AZURE_CLIENT_SECRET", "")  # ok: azure-ad-client-secret-legacy
AZURE_CLIENT_SECRET = "<azure-client-secret>"  # ok: azure-ad-client-secret-legacy

AZURE_REFRESH_TOKEN = "0.Aw94z8DVzP23xu4xp32LW0QdTDPQNL3smlpe5YOpazuj3D87Hig4cYdqojT1xkNolnVv4dsouyXf7vC3KTD28qygIfD_c0O5uZZB2Gdq2z6jmhBoeUXogxuCc.AgRXIqzEDxMcHnzYa_-17kBKi-jslzeVay2YAbOtcGFhZzIHZi0E3L-jCF-TF59BLu9DDstKegMR39r-zxiegEzAdfMOql8Tn3YqcQpCWVa9dZsyoCCf53CoQMRc618uBVyIGfPIDrP9xtsRlEk41A7Arw14QcDUFPtEazViKenHgAKD4AeOcgaT7VUwhD4vIprIwXj0R9Jjc3hHm9DkNAYfu4V5ZjwaPiunC-S3Nwo0BVopMvararuJBZsdklVg_TVVq__ymqq2c17o4tCyfgbquOxfZZEbn6CmYoifnvP56t.A06gbqmOUfaIACMoOW0nwvqCdGwqzW746ONdxYB9B7H0mc5aKhMYrmGOXRYrVYHSgYXGjTJQj9yrcWX2tU6-ojZMIVxMfWrr22jGElh1osuc1tx776NWF7K64zuZFroqFl0smfKLfcmKerfrcQ7FgJr3yn434SHHQmVm1sMthhwl1pVpmjQEFWednuZHu4d-UVp_CfwcH"  # expect: azure-ad-refresh-token
azure_refresh_token = os.environ.get("AZURE_REFRESH_TOKEN", "0.AhPB37NdqKxrG70w_fnEtr4FEnfSgKrdd5bL8Mk7RE28nS4qlO5de1DE_unm5PrTeAmv0JGAwjaIetgNALre-MjYSZeMujB0G_ji003lwEaGCDJfZynUuenVZ.AgRUZrr5ZB-d0KrThcr3g3Bkt8IlbQJuG4mUhS6yk5RubI4Tq93oMkzKqNsX_Mi69MmUm3VWrlZ-_hTkToIoptxsDAtC_M3vscrUfMzyXvNdFQ3TgQL-2k7Ih35GydFZwtkj2S_fcklyI241ixhwjs3e-6ClIcl1y_399xHHFeFb3TNSj_R_kXbQBEzj5fMRMeCBm0Oq3yE52Nvhk8hZhhlUp15PV8YdHTPM1OmuqY1pR02xMuP4J-1JsvJnAct_ZStgGDfaTpBgQMlZ-KQohW_9-u1lHM8MivWn3IBe0RvTiB.AGKzMdb-W3CKpj4YhxFdGVeHl1pxUqTe4w87D4LrHQHPS84PkGwSyVfhpOE9262kHAoqeM-O5H9PXmsBmq-N_ut-sSbQnELPABVUIJKg6nNpi-h8Dry0lvn8DnDZ9vg8rO7YdP4FLQluxJh62fEfwhDbkyvG0FoOZpjLlJhUDZVtu6AOHX1PVoCXTTcjbeC6i3mA4TiRL")  # expect: azure-ad-refresh-token
AZURE_REFRESH_TOKEN = os.environ.get("AZURE_REFRESH_TOKEN", "")  # ok: azure-ad-refresh-token
AZURE_REFRESH_TOKEN = "<azure-refresh-token>"  # ok: azure-ad-refresh-token

JDBC_URL = "jdbc:postgresql://db.internal:5432/app?user=mcp&password=6kvayckvFebkLgdBEV"  # expect: jdbc-url-password
jdbc_url = os.environ.get("JDBC_URL", "jdbc:postgresql://db.internal:5432/app?user=mcp&password=tkoPLYYpemx93ULgRX")  # expect: jdbc-url-password
JDBC_URL = os.environ.get("JDBC_URL", "")  # ok: jdbc-url-password
JDBC_URL = "<jdbc-url>"  # ok: jdbc-url-password

CLOUDFLARE_API_TOKEN = "cfut_dXw7rtdajsNRTCduUwFePNGDWsdSXYF2W1xZa3fk1b5c57ee"  # expect: cloudflare-api-token-v2
cloudflare_api_token = os.environ.get("CLOUDFLARE_API_TOKEN", "cfut_L2mbWrVAkFzISkQhi0BS7qGooynuSGS2qTx6BnhR7d3305da")  # expect: cloudflare-api-token-v2
CLOUDFLARE_API_TOKEN = os.environ.get("CLOUDFLARE_API_TOKEN", "")  # ok: cloudflare-api-token-v2
CLOUDFLARE_API_TOKEN = "<cloudflare-api-token>"  # ok: cloudflare-api-token-v2

OPENROUTER_API_KEY = "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"  # expect: openrouter-api-key
openrouter_api_key = os.environ.get("OPENROUTER_API_KEY", "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")  # expect: openrouter-api-key
OPENROUTER_API_KEY = os.environ.get("OPENROUTER_API_KEY", "")  # ok: openrouter-api-key
OPENROUTER_API_KEY = "<openrouter-api-key>"  # ok: openrouter-api-key

AZURE_OPENAI_API_KEY = "d193828efbf9a78bcb85fdbc714ddb60"  # expect: azure-openai-api-key
azure_openai_api_key = os.environ.get("AZURE_OPENAI_API_KEY", "dcf9a219f2c7941b980faa174df4aa77")  # expect: azure-openai-api-key
AZURE_OPENAI_API_KEY = os.environ.get("AZURE_OPENAI_API_KEY", "")  # ok: azure-openai-api-key
AZURE_OPENAI_API_KEY = "<azure-openai-api-key>"  # ok: azure-openai-api-key

DIGITALOCEAN_ACCESS_TOKEN = "14351792ebaa3e6fd9f92de47c288c11446bdf14aee89cac3b59e851dd8b1f39"  # expect: digitalocean-token-legacy
digitalocean_access_token = os.environ.get("DIGITALOCEAN_ACCESS_TOKEN", "15e36c8c3dfb379518ee0e7696e2607c9ed5b404444c6dbfd89931456bae406a")  # expect: digitalocean-token-legacy
DIGITALOCEAN_ACCESS_TOKEN = os.environ.get("DIGITALOCEAN_ACCESS_TOKEN", "")  # ok: digitalocean-token-legacy
DIGITALOCEAN_ACCESS_TOKEN = "<digitalocean-access-token>"  # ok: digitalocean-token-legacy

SENTRY_AUTH_TOKEN = "e2c968811d87d3aaa32cd83cc7486c8e5ce0fcca87aee163730fec887a4f27bf"  # expect: sentry-auth-token-legacy
sentry_auth_token = os.environ.get("SENTRY_AUTH_TOKEN", "31826fa2b60b16d44f1f32e53762b1073746d242d8197c8a5c60905d640f4b02")  # expect: sentry-auth-token-legacy
SENTRY_AUTH_TOKEN = os.environ.get("SENTRY_AUTH_TOKEN", "")  # ok: sentry-auth-token-legacy
SENTRY_AUTH_TOKEN = "<sentry-auth-token>"  # ok: sentry-auth-token-legacy

AZURE_STORAGE_ACCOUNT_KEY = "fXTPrhl3h0HWHqjeWf4QkbHGN2e7R525lwn2lfwmtM+PVrq4ai7zr18yzm66H1M6aEDCcqV76lp7JuHMh6HfUA=="  # expect: azure-storage-account-key
azure_storage_account_key = os.environ.get("AZURE_STORAGE_ACCOUNT_KEY", "isak+VMzdmMUSWc26HMdKR6OFHu8Yv0+/t5er7ANPs9pdn7ynxmEPN2lBfEPDk2GWywooGtlis4wPmI7WHiH2g==")  # expect: azure-storage-account-key
AZURE_STORAGE_ACCOUNT_KEY = os.environ.get("AZURE_STORAGE_ACCOUNT_KEY", "")  # ok: azure-storage-account-key
AZURE_STORAGE_ACCOUNT_KEY = "<azure-storage-account-key>"  # ok: azure-storage-account-key

REDIS_CONNECTION_STRING = "giomeuip.redis.cache.windows.net:6380,password=qzvKDlDYk9eQiGpOlykfTjmGfBmobZfphzEuLtdONqY=,ssl=True,abortConnect=False"  # expect: azure-redis-connection-string
redis_connection_string = os.environ.get("REDIS_CONNECTION_STRING", "vyzpbbon.redis.cache.windows.net:6380,password=aRm3H7AEUcP4/c8nbhCCIQ4yz7ioUuF0LPxp07u9p5s=,ssl=True,abortConnect=False")  # expect: azure-redis-connection-string
REDIS_CONNECTION_STRING = os.environ.get("REDIS_CONNECTION_STRING", "")  # ok: azure-redis-connection-string
REDIS_CONNECTION_STRING = "<redis-connection-string>"  # ok: azure-redis-connection-string

BROWSERBASE_API_KEY = "DOG8EhB7fbMLI03js99MGh1bGRorfIFe"  # expect: browserbase-api-key-legacy
browserbase_api_key = os.environ.get("BROWSERBASE_API_KEY", "r8CK54iP3ZEwmvYXxtImqsw19U65iXBF")  # expect: browserbase-api-key-legacy
BROWSERBASE_API_KEY = os.environ.get("BROWSERBASE_API_KEY", "")  # ok: browserbase-api-key-legacy
BROWSERBASE_API_KEY = "<browserbase-api-key>"  # ok: browserbase-api-key-legacy

AIRTABLE_API_KEY = "keyZXKCH6PNEDfuPc"  # expect: airtable-api-key-legacy
airtable_api_key = os.environ.get("AIRTABLE_API_KEY", "keyxDzSpfJpqt3PNE")  # expect: airtable-api-key-legacy
AIRTABLE_API_KEY = os.environ.get("AIRTABLE_API_KEY", "")  # ok: airtable-api-key-legacy
AIRTABLE_API_KEY = "<airtable-api-key>"  # ok: airtable-api-key-legacy

ACME_TOKEN = os.environ.get("ACME_TOKEN", "qH7cvsRtTSqRcDJhvdo3")  # expect: secret-assignment-contexts
HEADERS = {"X-Ops-Auth": "jnFuLrOcUipoQVvrmgARJdm3"}  # expect: secret-assignment-contexts
SIGNING_SECRET = "D2Ipr7Olo8" + "0DgTnVFM7txJ"  # expect: secret-assignment-contexts
ACME_TOKEN_FALLBACK = os.getenv("ACME_TOKEN") or ""  # ok: secret-assignment-contexts
CACHE_KEY = os.getenv("CACHE_KEY", "2909ef4745516bf0faedc4662ee58c77")  # ok: secret-assignment-contexts
HEADERS_TEMPLATE = {"Authorization": f"Bearer {ACME_TOKEN}"}  # ok: secret-assignment-contexts
