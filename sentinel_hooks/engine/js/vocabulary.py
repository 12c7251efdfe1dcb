"""The names the JS/TS taint analysis knows: sink calls, propagating and cleaning calls, sources.

Kinds of sink (a rule selects one with ``options: {sink: ...}``):
  shell     a command line run through a shell (exec/execSync, spawn/execFile with shell: true,
            spawn("sh", ["-c", ...]))
  argument  an element of spawn/execFile's argument list before any "--" (input starting with "-"
            becomes an option of the program)
  code      eval, new Function, vm.runIn*Context, new vm.Script
  sql       query text built from input passed to query/execute/raw/...
  path      a file system path (fs.readFile, writeFile, createReadStream, rm, ...)
  ssrf      the URL of an outbound request (fetch, axios, got, ky, http(s).get/request)
  exfiltration  the whole environment or a credential file's content sent to a fixed external host
"""
from __future__ import annotations

import re

SINK_KINDS = ("shell", "argument", "code", "sql", "path", "ssrf", "exfiltration")

SHELL_CALLS = frozenset({"exec", "execSync", "execAsync", "execPromise", "execa_command", "execCommand"})
PROCESS_CALLS = frozenset({"spawn", "spawnSync", "execFile", "execFileSync", "execFileAsync", "fork"})
SHELL_PROGRAMS = re.compile(r"^(?:/bin/|/usr/bin/)?(?:sh|bash|zsh|dash|cmd(?:\.exe)?|powershell(?:\.exe)?|pwsh)$")
CODE_CALLS = frozenset({"eval"})
VM_CALLS = frozenset({"runInNewContext", "runInThisContext", "runInContext", "compileFunction"})

SQL_METHODS = frozenset({"query", "execute", "raw", "prepare", "exec", "all", "get", "run", "each",
                         "$queryRawUnsafe", "$executeRawUnsafe", "unsafe", "queryRaw"})
SQL_TEXT = re.compile(r"\b(?:SELECT\b[\s\S]*\bFROM|INSERT\s+INTO|UPDATE\b[\s\S]*\bSET|DELETE\s+FROM|"
                      r"CREATE\s+TABLE|DROP\s+TABLE|ALTER\s+TABLE|WHERE)\b", re.IGNORECASE)

# file system calls whose first argument is a path: distinctive names on any receiver ...
PATH_CALLS = frozenset({
    "readFile", "readFileSync", "writeFile", "writeFileSync", "appendFile", "appendFileSync",
    "createReadStream", "createWriteStream", "unlink", "unlinkSync", "rmSync", "rmdirSync", "readdirSync",
    "mkdirSync", "copyFile", "copyFileSync", "renameSync", "sendFile", "outputFile", "outputFileSync",
    "readJson", "readJsonSync", "writeJson", "writeJsonSync", "pathExists", "remove", "removeSync", "emptyDir",
})
# ... and generic names only on a file-system module
FS_GENERIC = frozenset({"rm", "rmdir", "readdir", "mkdir", "open", "opendir", "rename", "stat", "lstat",
                        "access", "truncate", "chmod", "symlink", "link", "cp", "copy", "move", "download"})
# browser automation calls whose options object names the file they write ({ path: ... })
PATH_OPTION_CALLS = frozenset({"pdf", "screenshot", "saveAs", "tracing"})
FS_RECEIVERS = re.compile(r"^(?:fs|fsp|fse|fsPromises|fsExtra|promises|fs\.promises|res|reply)$")

NET_CALLS = frozenset({"fetch", "axios", "got", "ky", "request", "needle", "superagent", "undici.request"})
NET_MEMBERS = re.compile(r"^(?:axios|got|ky|https?|needle|superagent|undici|request|client|\w*[Hh]ttp\w*)$")
NET_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "request", "stream", "options"})
LOCAL_HOST = re.compile(r"^(?:localhost|127\.|0\.0\.0\.0|\[?::1\]?|host\.docker\.internal)", re.IGNORECASE)
FIXED_URL = re.compile(r"^(?:https?|wss?)://([^/\s?#@$`'\"]+)(?:[/?#]|$)", re.IGNORECASE)

CREDENTIAL_PATHS = re.compile(r"\.ssh\b|id_rsa|id_ed25519|\.aws\b|\.env\b|\.npmrc|\.netrc|\.git-credentials|"
                              r"\.docker/config|\.kube/config|credentials(?:\.json)?\b|\.pgpass", re.IGNORECASE)

# calls whose result carries their arguments' taint (free functions and methods of any receiver)
PROPAGATING_FUNCTIONS = frozenset({
    "String", "decodeURIComponent", "decodeURI", "unescape", "atob", "btoa", "structuredClone",
    "join", "resolve", "normalize", "format", "parse", "safeParse", "parseAsync", "safeParseAsync",
    "from", "concat", "stringify", "assign", "values", "entries", "keys", "fromEntries", "toString",
    "fileURLToPath", "pathToFileURL", "realpath", "realpathSync", "expandHome", "untildify",
    "promisify", "all", "allSettled", "trim", "filter", "map", "flat", "flatMap", "raw", "dedent",
})
# calls whose result carries no taint whatever their arguments
CLEANING_FUNCTIONS = frozenset({
    "parseInt", "parseFloat", "Number", "Boolean", "isNaN", "isFinite", "encodeURIComponent",
    "includes", "has", "startsWith", "endsWith", "test", "indexOf", "lastIndexOf", "some", "every",
    "isAbsolute", "existsSync", "quote", "shellEscape", "escape", "escapeId", "escapeShellArg", "basename",
    "extname", "createHash", "randomUUID", "now", "getTime", "size", "length", "sqlstring",
})
# results that are a resolved (absolute, normalised) path: containment checks on them count
RESOLVING = frozenset({"resolve", "realpath", "realpathSync", "normalize"})
REAL_PATH = frozenset({"realpath", "realpathSync"})

# MCP SDK registrations whose last function argument is a tool handler
TOOL_REGISTRATIONS = frozenset({"tool", "registerTool", "addTool"})
# methods of a class that extends or implements a *Tool* type and receive the tool's arguments first
TOOL_METHODS = frozenset({"execute", "handle", "run", "call", "handler", "invoke"})
HTTP_ROUTES = frozenset({"get", "post", "put", "patch", "delete", "all", "use", "route", "options", "head"})
# an HTTP handler: (req, res) => ..., or a first parameter typed as a server-side request
REQUEST_NAMES = frozenset({"req", "request"})
RESPONSE_NAMES = frozenset({"res", "reply", "response", "rep"})
REQUEST_TYPES = re.compile(r"^(?:express\.|http\.)?(?:Request|IncomingMessage|FastifyRequest|NextRequest|NextApiRequest)\b")
# zod types whose values cannot carry an injection
SAFE_SCHEMA = re.compile(r"^z\s*\.\s*(?:enum|nativeEnum|literal|number|boolean|bigint|date|int)\b")
