// Provider credentials for the research tools.
import "dotenv/config";

export const openai_api_key = "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"; // expect: openai-api-key
export const openai_api_key_fallback = process.env.OPENAI_API_KEY ?? "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; // ok: openai-api-key
export const anthropic_api_key = "sk-ant-api03-Y1_h_mUF0IYJAZYCMkYVtwU6wRGRD-s9JbAaJlqi64TmDsNxb_Oh3VcAQL_jQmlqoqULeNE9Ugsy3IKEdvM_14JPQFt-mAA"; // expect: anthropic-api-key
export const anthropic_api_key_fallback = process.env.ANTHROPIC_API_KEY ?? "<your-anthropic-key>"; // ok: anthropic-api-key
export const gemini_api_key = "AIzaRu4CL_ST0XRMXseNg4z5bk1u_tt1BlMukAG"; // expect: google-api-key
export const gemini_api_key_fallback = process.env.GEMINI_API_KEY ?? "<your-gemini-key>"; // ok: google-api-key
export const hf_token = "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"; // expect: huggingface-token
export const hf_token_fallback = process.env.HF_TOKEN ?? "hf_YOURTOKENHERE"; // ok: huggingface-token
export const groq_api_key = "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"; // expect: groq-api-key
export const groq_api_key_fallback = process.env.GROQ_API_KEY ?? "gsk_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; // ok: groq-api-key
export const xai_api_key = "xai-IKbNgSvHqVgiBH8EmP8CA9pggxyGYdrAYHSqL9XD20GvChYhFmt1Z3kk5AtZceIlOBHI6eCL0GMDO2v6"; // expect: xai-api-key
export const xai_api_key_fallback = process.env.XAI_API_KEY ?? "xai-<key>"; // ok: xai-api-key
export const perplexity_api_key = "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"; // expect: perplexity-api-key
export const perplexity_api_key_fallback = process.env.PERPLEXITY_API_KEY ?? "pplx-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; // ok: perplexity-api-key
export const replicate_api_token = "r8_mTYmv1ozx1ig3UwJnd927dN2t6CJiItqx2RHY"; // expect: replicate-api-token
export const replicate_api_token_fallback = process.env.REPLICATE_API_TOKEN ?? "r8_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; // ok: replicate-api-token
export const pinecone_api_key = "pcsk_wezoFj_iutbrzr8aowSRrTwObhkonISMp1BNWbzdCuOhiG4EXA7Mb1TFkyaJ58pJI5yA82"; // expect: pinecone-api-key
export const pinecone_api_key_fallback = process.env.PINECONE_API_KEY ?? "pcsk_<your-key>"; // ok: pinecone-api-key
export const tavily_api_key = "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"; // expect: tavily-api-key
export const tavily_api_key_fallback = process.env.TAVILY_API_KEY ?? "tvly-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; // ok: tavily-api-key
export const firecrawl_api_key = "fc-b65025a777554e5dd74870b30d81ccf9"; // expect: firecrawl-api-key
export const firecrawl_api_key_fallback = process.env.FIRECRAWL_API_KEY ?? "fc-00000000000000000000000000000000"; // ok: firecrawl-api-key
export const langsmith_api_key = "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"; // expect: langsmith-api-key
export const langsmith_api_key_fallback = process.env.LANGSMITH_API_KEY ?? "lsv2_pt_<key>"; // ok: langsmith-api-key
export const linear_api_key = "lin_api_ZipvnQ0tdK2brQ47WBCPqqHSLUXXiOq4z8VVqQF6"; // expect: linear-api-key
export const linear_api_key_fallback = process.env.LINEAR_API_KEY ?? "lin_api_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; // ok: linear-api-key
export const notion_token = "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"; // expect: notion-token
export const notion_token_fallback = process.env.NOTION_TOKEN ?? "secret_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; // ok: notion-token
export const jira_api_token = "ATATT3xFfGF0rdCwNlvtsbJRvlxe9lklxqtU9XwUACDIANerdZc0phozFvRd2KDnszutV7_QGBmQ-f6PSbZBBPbA3kDJyB71Vyj0IzMiZzLGbCoExzEA30MfHHpp36riYl7Cs5tsycTQAjhYhAsZ5LtpSTg_i5YwpC6sjb8fk25L4-i6GKQxi3=DCA78FB9"; // expect: atlassian-api-token
export const jira_api_token_fallback = process.env.JIRA_API_TOKEN ?? "<atlassian-api-token>"; // ok: atlassian-api-token
export const figma_access_token = "figd_dd-ZOVXakRBMPmysvU9EkRKhHAbIEttDK-vEeYWR"; // expect: figma-pat
export const figma_access_token_fallback = process.env.FIGMA_ACCESS_TOKEN ?? "figd_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; // ok: figma-pat
export const airtable_api_key = "patP5K9FpiaIVyv1X.05e7de1e56633bd1b9679fd2fa197949f6519b7f04f8ca4e21eb4face24a9f1a"; // expect: airtable-pat
export const airtable_api_key_fallback = process.env.AIRTABLE_API_KEY ?? "patXXXXXXXXXXXXXX.xxxxxxxx"; // ok: airtable-pat
export const postman_api_key = "PMAK-4a61fa8da2724d12d5b24ab3-221bb0776068601e0d84df5764ebaea8c1"; // expect: postman-api-key
export const postman_api_key_fallback = process.env.POSTMAN_API_KEY ?? "PMAK-<key>"; // ok: postman-api-key
export const supabase_service_role_key = "sb_secret_rgdOCpCtaedOygLGF2DWn_kxOdYIdf-"; // expect: supabase-service-key
export const supabase_service_role_key_fallback = process.env.SUPABASE_SERVICE_ROLE_KEY ?? "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6ImtkdXJueGh4bXZ4enB5aXNnanBqIiwicm9sZSI6ImFub24iLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MjAxNTU3NjAwMH0.SlSE83ZpmlFcfbEraujPA1qFmjBtmmrtQL50fYHv0y4"; // ok: supabase-service-key

export const serviceJwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1MjIwNjEiLCJzY29wZSI6InRvb2xzOmNhbGwiLCJleHAiOjQxMDI0NDQ4MDB9.hwMCXSuvviGAu0B0fOXnW-lzpnS-Euxsef9CMpXfsic"; // expect: jwt-token
// the token from the jwt.io debugger, used in docs only
export const docsJwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"; // ok: jwt-token
export const clientSecret = "ZSo~v_T8OY-bNmhcmkrl"; // expect: generic-secret-assignment
export const apiKey = process.env.RESEARCH_API_KEY; // ok: generic-secret-assignment
export const supabaseAnonKey = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZSIsInJlZiI6Imh5em5tYm9mbWdjdXZjcHdwbmd5Iiwicm9sZSI6ImFub24iLCJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MjAxNTU3NjAwMH0.Gao0_7Z4vnUbJFEoXycV5i6JpY9-1o5K1nLBO1RQoQQ"; // ok: supabase-service-key, jwt-token
