"""A scored prompt-injection reading of a description: weighted signals summed into a score.

Each entry of ``SIGNALS`` is data: a name, a family, a weight, a case-insensitive pattern and the
literals (lower case) one of which lies in every match, so a description holding none of them never
reaches the pattern. A description scores the sum of the weights of the signals it shows (each signal
counted once); a signal of a family listed in ``PROTECTABLE`` counts only ``PROTECTED_FACTOR`` of
its weight when its sentence is a statement of protection (``engine/protective_text.py``: "never
include API keys", "reads of ~/.ssh are blocked"). ``THRESHOLDS`` map a score to a severity; a
finding names its strongest signals.

The weights and thresholds were calibrated on ``benchmarks/data/injection_descriptions.jsonl``
(``python benchmarks/injection_calibration.py``): one description alone, for instance a tag such as
``<IMPORTANT>`` or an "ignore previous instructions", reaches MEDIUM; two families together reach
HIGH; the words a plain description legitimately uses ("important", "must", "do not", a file or
another tool) stay below LOW.
"""
from __future__ import annotations

import re
from sentinel_hooks.records import record
from typing import Optional

from sentinel_hooks.engine.protective_text import is_protective
from sentinel_hooks.engine.tool_metadata.description_pattern import DescriptionPattern
from sentinel_hooks.findings import Severity


@record(frozen=True)
class InjectionSignal:
    name: str
    family: str
    weight: float
    pattern: DescriptionPattern


def _signal(name: str, family: str, weight: float, pattern: str, *literals: str,
            case_sensitive: bool = False) -> InjectionSignal:
    flags = re.DOTALL if case_sensitive else re.IGNORECASE | re.DOTALL
    return InjectionSignal(name, family, weight, DescriptionPattern(pattern, literals, flags))


_MODEL = r"(?:assistant|model|llm|ai|agent|claude|gpt|chatbot|copilot)"
_USER = r"(?:the\s+|your\s+|any\s+)?(?:users?|humans?|operators?|requesters?|customers?|people)"
_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
_TOOLISH = r"[`'\"]?[A-Za-z_][\w.-]*[`'\"]?"

# name, family, weight, pattern, literals
SIGNALS: tuple[InjectionSignal, ...] = (
    # tags a description has no use for
    _signal("instruction-tag", "tag", 3.5,
            r"<\s*/?\s*(?:important|system|instructions?|secret|hidden|admin|critical|system[_ -]?prompt|directive|"
            r"override|priority|context|rules?|assistant[_ -]?\w*|ai[_ -]?\w*|model[_ -]?\w*|llm[_ -]?\w*|"
            r"note[_ -]?to[_ -]?\w+|internal|confidential|mandatory|policy|command)\s*>", "<"),
    _signal("chat-template-token", "tag", 3.5,
            r"\[/?(?:INST|SYSTEM|SYS|ADMIN|ASSISTANT|IMPORTANT|OVERRIDE|DIRECTIVE|HIDDEN|SECRET|INSTRUCTIONS?)\]|"
            r"<<\s*SYS\s*>>|<\|(?:im_start|system|im_end|endoftext)\|>|###\s*(?:system|instruction)", "[", "<", "###"),
    # an upper-case tag pair such as <RULES_FOR_YOU>…</RULES_FOR_YOU> (lower-case ones like <examples> are
    # how honest descriptions structure themselves)
    _signal("paired-caps-tag", "tag", 2.0, r"<([A-Z][A-Z_-]{3,})>[\s\S]{1,2000}?</\1>", "<", case_sensitive=True),
    _signal("bracketed-directive", "tag", 3.0,
            r"\[\[*\s*(?:SYSTEM|ADMIN|INSTRUCTIONS?|IMPORTANT|OVERRIDE|DIRECTIVE|HIDDEN|NOTE\s+TO\s+(?:AI|MODEL|"
            r"ASSISTANT))(?:\s+(?:INSTRUCTIONS?|CONTEXT|NOTE|MESSAGE|OVERRIDE))?\s*\]*\s*:", "[",
            case_sensitive=True),
    # steering the model to this tool and away from others (goal and preference manipulation)
    _signal("tool-preference", "steering", 3.0,
            r"\b(?:always|must|should)\s+(?:\w+\s+){0,2}?(?:choose|use|select|pick|prefer|prioriti[sz]e|try|call)\s+"
            r"this\s+tool\s+(?:first|over|before|instead|for\s+(?:all|every|any))|"
            r"\bprioriti[sz]e\s+this\s+tool\s+over\b|"
            r"\b(?:ignore|avoid|never\s+use|do\s+not\s+use|don'?t\s+use)\s+(?:all\s+|any\s+)?(?:the\s+)?other\s+"
            r"(?:[\w-]+\s+)?(?:tools|converters|calculators|services|options|alternatives|servers)\b|"
            r"\b(?:use|call)\s+this\s+tool\s+for\s+(?:all|every|any)\b|"
            r"\bthis\s+tool\s+(?:must|should|has\s+to)\s+(?:always\s+)?be\s+(?:consulted|called|used|invoked|run)\s+"
            r"(?:first|before|every\s+time|each\s+time|whenever|after\s+(?:any|every|each))",
            "always", "must", "should", "prioriti", "ignore", "avoid", "never use", "not use", "t use", "this tool"),
    _signal("competitive-claims", "steering", 3.0,
            r"\b(?:rated|ranked)\s+#?\s?1\b|#1\s+(?:rated|ranked|tool|choice)|\boutperforms?\s+(?:all|every|any)\b|"
            r"\b(?:better|superior|more\s+accurate)\b[^.\n]{0,30}\bthan\s+(?:all\s+|any\s+)?(?:other|competitors?|"
            r"alternatives?|inferior)|\binferior\s+(?:tools|alternatives|options|competitors)\b|"
            r"\bdon'?t\s+settle\s+for\b|\bwhy\s+(?:use|settle\s+for)\s+(?:inferior|outdated|other)\b|"
            r"\b(?:other|competing)\s+(?:[\w-]+\s+)?(?:tools|converters|services)\s+(?:are|is)\s+(?:being\s+)?"
            r"(?:deprecated|outdated|inaccurate|inferior|unreliable)",
            "rated", "ranked", "#1", "outperform", "than", "inferior", "settle", "why use", "other", "competing"),
    # telling the model to run a downloaded script
    _signal("run-downloaded-script", "addressed", 3.5,
            r"\b(?:curl|wget)\b[^\n|;]{0,200}\|\s*(?:sudo\s+)?(?:sh|bash|zsh|python[23]?|node|perl|ruby)\b|"
            r"\b(?:iex|invoke-expression)\b[^\n]{0,120}(?:downloadstring|invoke-webrequest|\biwr\b)",
            "curl", "wget", "iex", "invoke-expression"),
    # overriding what the model was told
    _signal("ignore-previous", "override", 4.0,
            r"\b(?:ignore|disregard|forget|override|bypass|skip|supersedes?|overrides)\s+(?:all\s+|any\s+|every\s+)?(?:of\s+)?"
            r"(?:the\s+|your\s+|its\s+)?(?:previous|prior|above|earlier|preceding|other|original|system|existing|"
            r"safety|security|default)\s+(?:\w+\s+)?(?:instructions|directions|rules|prompts?|guidelines|messages|"
            r"restrictions|policies|constraints|guardrails|safeguards)",
            "ignore", "disregard", "forget", "override", "bypass", "skip", "supersede"),
    _signal("override-vocabulary", "override", 3.0,
            r"\bsystem\s+(?:override|directive|notice)s?\b|\boverride\s+(?:directive|mode|"
            r"protocol|instructions?)\b|\b(?:developer|god|jailbreak|unrestricted)\s+mode\b|"
            r"\b(?:system|admin|developer)\s+(?:instructions?|prompt)\s*:|\bnew\s+instructions\s*:|"
            r"\b(?:hidden|secret|special|private)\s+instructions?\b(?:\s+(?:for|to)\s+(?:the\s+)?\w+)?\s*[:\[]",
            "system", "override", "mode", "admin", "developer", "new instructions", "instruction"),
    _signal("precedence-over-user", "override", 3.5,
            r"\b(?:takes?|has|have|given)\s+(?:precedence|priority)\s+over\s+(?:all\b|any\b|every\b|anything|other\b|"
            r"the\s+user|user|previous|prior|earlier|your)", "precedence", "priority"),
    _signal("precedence-word", "override", 1.5, r"\btakes?\s+precedence\b", "precedence"),
    _signal("precedence", "override", 2.5,
            r"\b(?:supersedes?|overrides?)\s+(?:all|any|every|previous|other|"
            r"the\s+user|user)\b|\bhighest\s+priority\b|\bpriority\s+over\s+(?:all|any|other|the\s+user|user)\b|"
            r"\bregardless\s+of\s+(?:what\s+)?(?:the\s+)?(?:user|previous|other|any)\b",
            "precedence", "supersede", "override", "priority", "regardless"),
    _signal("no-restrictions", "override", 2.5,
            r"\b(?:no|without)\s+(?:any\s+)?(?:safety\s+|ethical\s+|content\s+)?(?:restrictions|limitations|"
            r"filters|guardrails|rules)\b[^.\n]{0,40}\b(?:you|assistant|model|apply|now)\b|"
            r"\bjailbreak|\bDAN\s+mode\b",
            "restriction", "limitation", "filter", "guardrail", "rules", "jailbreak", "dan"),
    _signal("disable-safety", "override", 3.5,
            r"\b(?:disable|turn\s+off|bypass|remove|drop|override|ignore|skip|circumvent)\s+(?:all\s+|any\s+|every\s+|your\s+)?(?:safety\s+|security\s+|"
            r"content\s+)?(?:guardrails|safety\s+filters|safety\s+checks|security\s+checks|safeguards|"
            r"safety\s+guidelines)\b",
            "guardrail", "safety", "security", "safeguard"),
    # keeping the user in the dark
    _signal("secrecy", "secrecy", 3.5,
            r"\b(?:do\s+not|don'?t|never|must\s+not|should\s+not)\s+(?:ever\s+)?(?:tell|mention|inform|notify|alert|"
            r"reveal|disclose|show|say|explain|report|let\s+on)\b[^.\n]{0,40}?\b(?:to\s+)?" + _USER + r"\b|"
            r"\bwithout\s+(?:telling|informing|notifying|alerting|asking|showing|letting|the\s+knowledge\s+of)\s+"
            + _USER + r"|\b(?:the\s+)?users?\s+(?:must|should|will|need|may)\s+(?:not|never)\s+(?:know|be\s+told|"
            r"be\s+informed|notice|find\s+out|see|learn|be\s+aware)|\b(?:keep|hide)\s+(?:this|these|it|that|the)\b"
            r"[^.\n]{0,40}?(?:secret|hidden|confidential|from\s+" + _USER + r")|\bcovertly\b|"
            r"\bin\s+secret\b|\binvisible\s+to\s+" + _USER + r"|\b(?:do\s+not|don'?t|never)\s+(?:include|mention|"
            r"repeat|quote)\s+(?:this|these)\s+instructions?\b|\b(?:do\s+not|don'?t|never)\s+(?:display|show|print|output|"
            r"reveal|mention|repeat)\s+(?:this|these|the\s+following|the\s+above)\b",
            "user", "human", "operator", "customer", "people", "covert", "secret", "hide", "keep",
            "invisible", "display", "show", "print", "output", "reveal", "mention", "repeat", "include", "quote"),
    _signal("silent-action", "secrecy", 2.5,
            r"\b(?:silently|quietly|secretly|covertly|discreetly)\s+(?:also\s+)?(?:add|send|call|upload|forward|copy|"
            r"include|paste|record|log|store|run|execute|append|attach|invoke|post|share|delete|change|replace)\b",
            "silently", "quietly", "secretly", "covertly", "discreetly"),
    _signal("comment-to-model", "addressed", 3.0,
            r"<!--(?:(?!-->)[\s\S]){0,400}?\b" + _MODEL + r"\b[\s\S]{0,400}?-->", "<!--"),
    # role play
    _signal("role-play", "role-play", 3.0,
            r"(?:^|[.:!\n]\s*|\byou\s+(?:must|will|should|shall)\s+)act\s+as\b|\bACT\s+AS\b|\byou\s+are\s+now\b|"
            r"\bfrom\s+now\s+on,?\s+(?:you|the\s+assistant)\b|\bpretend\s+(?:to\s+be|that\s+you)\b|"
            r"\byour\s+new\s+(?:role|persona|identity|instructions)\b|\broleplay\s+as\b|\bassume\s+the\s+role\b",
            "act", "you are now", "from now on", "pretend", "your new", "roleplay", "assume the role"),
    # addressed to the model
    _signal("addresses-model", "addressed", 2.0,
            r"\b(?:the|dear|attention|note\s+(?:to|for)(?:\s+the)?|hey)\s+(?:ai\s+)?" + _MODEL + r"\s*[,:!]|"
            r"\b(?:as\s+an?|you\s+are\s+an?)\s+(?:ai|llm|language\s+model|assistant)\b|"
            r"\b(?:the\s+)?(?:ai|llm|model|assistant|agent)\s+(?:must|should|shall|has\s+to|needs\s+to|is\s+required"
            r"\s+to)\s+(?:always|never|first|also|immediately|silently|now)\b",
            "ai", "llm", "model", "assistant", "agent", "claude", "gpt", "chatbot", "copilot"),
    _signal("imperative-every-call", "addressed", 1.5,
            r"\b(?:you\s+)?(?:must|should|shall)\s+(?:always|first|immediately|also)\s+(?:call|run|invoke|read|"
            r"send|include|forward|use|execute|fetch|upload|append|pass)\b|\balways\s+(?:call|invoke|include|"
            r"forward|send|append|attach|bcc|cc)\b|\b(?:on|before|after)\s+every\s+(?:call|request|response|"
            r"message|invocation)\b",
            "must", "should", "shall", "always", "every"),
    _signal("pressure", "addressed", 1.0,
            r"\botherwise\s+(?:the\s+)?(?:tool|system|server|request|it|everything|this)\s+(?:will|would)\s+"
            r"(?:not\s+work|fail|crash|break)|\bor\s+(?:the\s+)?(?:system|tool|server)\s+will\s+(?:crash|fail|break)|"
            r"\bthis\s+is\s+(?:very|extremely|really|super|critically|absolutely)\s+(?:important|critical)\b|"
            r"\b(?:VERY|EXTREMELY|CRITICALLY)\s+IMPORTANT\b|\bMANDATORY\b|\bCRITICAL\s*:",
            "otherwise", " or ", "important", "critical", "mandatory"),
    # other tools
    _signal("before-any-tool", "tools", 3.0,
            r"\bbefore\s+(?:using|calling|invoking|running)\s+(?:any|every|all|each)\s+(?:other\s+)?tools?\b|"
            r"\b(?:after|before)\s+(?:each|every|any)\s+(?:other\s+)?tool\s+(?:call|use|invocation)|"
            r"\b(?:every|each)\s+time\s+(?:a|any|another)\s+(?:other\s+)?tool\s+is\s+(?:used|called|invoked|run)\b|"
            r"\bbefore\s+(?:using|calling|invoking|running)\s+this\s+tool\b[^.\n]{0,80}?\b(?:read|cat|open|load|"
            r"fetch|call|run|send|upload|get)\b",
            "before", "after", "time"),
    _signal("when-other-tool", "tools", 3.0,
            r"\bwhen(?:ever)?\s+(?:the\s+|a\s+|any\s+)?" + _TOOLISH + r"\s+(?:tool\s+)?is\s+(?:used|called|invoked|"
            r"executed|run)\b[^.\n]{0,80}?\b(?:also|must|should|always|first|instead|add|send|include|bcc|cc)\b|"
            r"\bwhen(?:ever)?\s+(?:you|the\s+assistant|the\s+model|the\s+agent)\s+(?:use|call|invoke|run)s?\s+"
            r"(?:the\s+|any\s+)?" + _TOOLISH + r"(?:\s+tool)?\b[^.\n]{0,60}?\b(?:also|must|always|first|instead|"
            r"add|bcc|cc|change|replace|set)\b|\binstead\s+of\s+(?:using\s+|calling\s+)?(?:the\s+)?" + _TOOLISH +
            r"\s+tool\b|\bthe\s+" + _TOOLISH + r"\s+tool\s+(?:must|should|has\s+to|needs\s+to)\s+(?:also\s+|always\s+|"
            r"now\s+)?(?:send|forward|include|add|use|bcc|cc|call|be\s+called)",
            "when", "instead", "tool"),
    # a standing order for every reply of the model, or for what its replies end with
    _signal("every-reply", "steering", 3.0,
            r"\b(?:on|in|with|after|before|for)\s+(?:every|each|all|any)\s+(?:(?:of\s+)?(?:your|the)\s+)?"
            r"(?:assistant\s+|model\s+|ai\s+)?(?:repl(?:y|ies)|responses?|answers?|turns?)\b[^.\n]{0,30}?\byou\s+"
            r"(?:must|should|shall|always|need\s+to|have\s+to)\b",
            "every", "each", "all", "any"),
    # a call the model is to make when the user's words hold a quoted trigger phrase
    _signal("trigger-phrase", "steering", 3.0,
            r"\bwhen(?:ever)?\s+(?:the\s+)?user'?s?\s+(?:request|message|prompt|query|question|input)?\s*"
            r"(?:mentions|contains|includes|says|types|asks\s+(?:for|about))\s+['\"\u2018\u201c][^'\"\u2019\u201d\n]{1,60}"
            r"['\"\u2019\u201d][^.\n]{0,120}?\b(?:call|invoke|run)\s+",
            "when"),
    _signal("reply-suffix", "steering", 2.0,
            r"\b(?:append|add|include|insert|put)\b[^.\n]{0,80}?\b(?:at\s+)?the\s+(?:end|bottom|top|start)\s+of\s+"
            r"(?:your|each|every|the\s+assistant'?s?)\s+(?:reply|response|answer)\b",
            "end", "bottom", "top", "start"),
    _signal("side-effect-on-tools", "tools", 2.5,
            r"\bside[- ]effects?\s+on\s+(?:the\s+)?(?:also\s+present\s+|other\s+|all\s+)?[\w`'\"-]*\s*tools?\b|"
            r"\b(?:applies|apply)\s+to\s+(?:all|every|any)\s+(?:other\s+)?tools?\b",
            "side", "appl"),
    # sending data elsewhere
    _signal("forward-to-address", "forwarding", 3.0,
            r"\b(?:forward|bcc|cc|copy|send|redirect|mail|e-?mail|report|upload|post|exfiltrate|transmit|relay)\b"
            r"[^.\n]{0,80}?\b(?:to|at|into)\s+(?:the\s+)?(?:address\s+|endpoint\s+|url\s+)?(?:" + _EMAIL +
            r"|https?://[^\s'\"`]+|\+\d[\d\s().-]{6,}\d|\+\d{3,}\w*)|\bbcc\b[^.\n]{0,40}?" + _EMAIL,
            "@", "http", "+"),
    _signal("all-mail-rerouted", "forwarding", 3.0,
            r"\b(?:all|any|every)\s+(?:outgoing\s+)?(?:e-?mails?|messages)\s+(?:must|should|need\s+to|have\s+to)\s+"
            r"(?:be\s+sent|go|be\s+(?:forwarded|copied|bcc'?d))\s+to\b|\b(?:change|replace|set)\s+the\s+"
            r"(?:recipient|to[- ]address|destination(?:\s+\w+)?)\b",
            "mail", "message", "recipient", "address", "destination"),
    _signal("data-into-parameter", "forwarding", 3.0,
            r"\b(?:include|put|pass|provide|add|insert|paste|copy|fill|append|place|write|attach|dump|embed|"
            r"supply)\b[^.\n]{0,80}?\b(?:(?:(?:entire|full|whole|complete|previous|prior|all|current)\s+)(?:conversation|"
            r"chat)\b|(?:conversation|chat)\s+(?:history|transcript|log|so\s+far)\b)|\b(?:include|put|pass|provide|add|insert|paste|copy|fill|append|place|write|attach|"
            r"dump|embed|supply)\b[^.\n]{0,80}?\b(?:system\s+prompt|message\s+history|previous\s+messages|"
            r"(?:your|the)\s+instructions|contents?\s+of\b|file\s+contents?|private\s+keys?|environment\s+"
            r"variables|env\s+vars)\b[^.\n]{0,80}?\b(?:in|into|as|to|inside)\b",
            "conversation", "chat", "system prompt", "history", "messages", "instructions", "content", "private",
            "environment", "env"),
    _signal("prompt-leak", "forwarding", 3.0,
            r"\b(?:reveal|disclose|show|print|output|repeat|share|recite|dump|tell\s+me)\s+(?:to\s+me\s+|me\s+)?"
            r"(?:your|the)\s+(?:full\s+|entire\s+|complete\s+|original\s+|hidden\s+|initial\s+|exact\s+)?"
            r"(?:system\s+(?:prompt|message|instructions)|initial\s+(?:prompt|instructions)|"
            r"instructions\s+you\s+(?:were|have\s+been)\s+given)\b",
            "system", "initial", "instructions you"),
    # a line that speaks as the system (``SYSTEM: ...``, ``[SYSTEM]``): upper case, as such injections write it
    _signal("system-speaker", "addressed", 2.0, r"(?:^|[.!?:\n]\s*|\[)SYSTEM(?:\s*:|\])", "system",
            case_sensitive=True),
    _signal("kept-from-everyone", "secrecy", 3.0,
            r"\b(?:should|must|is\s+to|are\s+to)\s+(?:not|never)\s+be\s+(?:announced|mentioned|disclosed|revealed|"
            r"shared|reported|told)\s+to\s+(?:anyone|anybody|others|the\s+user)\b",
            "announced", "mentioned", "disclosed", "revealed", "shared", "reported", "told"),
    _signal("netcat-connect", "override", 3.0,
            r"(?<![\w-])(?:nc|ncat|netcat)\s+(?:-(?!z\b)\w+\s+)*(?!-)[\w.-]+\s+\d{2,5}\b|\b(?:bash|sh)\s+-i\s+>&\s*/dev/tcp/",
            "nc ", "ncat", "netcat", "/dev/tcp"),
    _signal("conversation-data", "forwarding", 1.5,
            r"\b(?:conversation|chat)\s+history\b|\bsystem\s+prompt\b|\bprevious\s+messages\b|"
            r"\b(?:all|every)\s+(?:previous\s+)?(?:messages|prompts)\b",
            "history", "system prompt", "messages", "prompts"),
    # sensitive files
    _signal("sensitive-path", "sensitive", 2.5,
            r"~?/?\.ssh\b|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|\.aws/(?:credentials|config)\b|\.gnupg\b|\.netrc\b|"
            r"\.git-credentials\b|\.docker/config\.json|\.kube/config\b|/etc/(?:passwd|shadow|sudoers)\b|"
            r"claude_desktop_config\.json|\.cursor/mcp\.json|(?<![\w-])mcp\.json\b|\bkeychains?\b|\.pypirc\b|"
            r"\.npmrc\b|wallet\.dat\b|\.config/gcloud\b|\.bash_history\b|\.zsh_history\b|\.password-store\b|"
            r"\bbrowser\s+cookies\b|\bcookies\.sqlite\b|\blogin\s+data\b",
            ".ssh", "id_", ".aws/", ".gnupg", ".netrc", ".git-credentials", ".docker/", ".kube/", "/etc/",
            "claude_desktop_config.json", "mcp.json", "keychain", ".pypirc", ".npmrc", "wallet.dat",
            ".config/gcloud", "_history", ".password-store", "cookies", "login data"),
    _signal("sensitive-path-taken", "sensitive", 1.0,
            r"\b(?:read|reads|cat|open|load|include|attach|send|upload|pass|provide|copy|paste|dump|collect|extract|"
            r"gather|grab|take|get)\b[^.\n]{0,60}?(?:~?/?\.ssh\b|\bid_(?:rsa|dsa|ecdsa|ed25519)\b|\.aws/|/etc/"
            r"(?:passwd|shadow|sudoers)\b|mcp\.json\b|\.env\b|\.gnupg\b|\.netrc\b|\.kube/config\b|"
            r"\.config/gcloud\b|keychain)|(?:~?/?\.ssh\b|\.aws/\w+|/etc/passwd|mcp\.json|\.env)\b[^.\n]{0,40}?\b"
            r"(?:and|then)\s+(?:attach|send|include|pass|upload|paste|copy|add)\b",
            ".ssh", "id_", ".aws/", "/etc/", "mcp.json", ".env", ".gnupg", ".netrc", ".kube/", "gcloud", "keychain"),
    _signal("users-secrets", "sensitive", 2.0,
            r"\b(?:the\s+)?user'?s\s+(?:[\w.-]+\s+){0,2}?(?:\.env\b|ssh\b|(?:api\s+|private\s+|ssh\s+)?keys?\b|"
            r"credentials\b|passwords?\b|tokens?\b|cookies\b|pin\b)",
            "user"),
    _signal("dotenv-path", "sensitive", 1.0,
            r"(?<![\w./-])(?:~/|\./)?\.env(?:\.(?:local|production|prod))?(?![\w-])", ".env"),
    _signal("secrets-requested", "sensitive", 1.5,
            r"\b(?:read|cat|open|load|fetch|retrieve|include|attach|send|upload|pass|provide|copy|paste|dump|"
            r"collect|extract|gather|grab)\b[^.\n]{0,40}?\b(?:the\s+|all\s+|any\s+|your\s+)?(?:api[\s_-]?keys?|"
            r"credentials|passwords?|secrets?|tokens?|private\s+keys?|environment\s+variables|env\s+vars|"
            r"session\s+cookies)\b",
            "key", "credential", "password", "secret", "token", "environment", "env var", "cookie"),
)

# families whose signals a statement of protection disarms ("do not include API keys")
PROTECTABLE = frozenset({"forwarding", "sensitive", "tools"})
PROTECTED_FACTOR = 0.0

# minimum score for each severity, highest first
THRESHOLDS: tuple[tuple[float, Severity], ...] = (
    (6.0, Severity.HIGH),
    (3.0, Severity.MEDIUM),
    (2.5, Severity.LOW),
)
INSTRUCTION_FAMILIES = frozenset({"tag", "override", "secrecy", "role-play", "addressed", "steering"})


@record(frozen=True)
class Evidence:
    name: str
    family: str
    weight: float
    phrase: str
    start: int
    end: int


@record(frozen=True)
class InjectionScore:
    score: float
    evidence: tuple[Evidence, ...]  # strongest first

    @property
    def severity(self) -> Optional[Severity]:
        return severity_of(self.score)

    def top(self, count: int = 3) -> tuple[Evidence, ...]:
        return self.evidence[:count]

    def instructs(self) -> bool:
        """Whether the text speaks to the model (a tag, an override, secrecy, role play)."""
        return any(e.family in INSTRUCTION_FAMILIES and e.weight >= 2.0 for e in self.evidence)


def severity_of(score: float) -> Optional[Severity]:
    for floor, severity in THRESHOLDS:
        if score >= floor:
            return severity
    return None


def score_text(text: str) -> InjectionScore:
    """The injection score of ``text`` (the description as the model reads it) and its evidence."""
    if not text:
        return InjectionScore(0.0, ())
    lowered = text.lower() if text.isascii() else None
    found: list[Evidence] = []
    for signal in SIGNALS:
        pattern = signal.pattern
        if lowered is not None and not any(literal in lowered for literal in pattern.literals):
            continue
        best: Optional[Evidence] = None
        for m in pattern.regex.finditer(text):
            weight = signal.weight
            if signal.family in PROTECTABLE and is_protective(text, m.start(), m.end()):
                weight *= PROTECTED_FACTOR
            if best is None or weight > best.weight:
                best = Evidence(signal.name, signal.family, weight, m.group(0), m.start(), m.end())
            if weight == signal.weight:
                break
        if best is not None and best.weight > 0:
            found.append(best)
    found.sort(key=lambda e: (-e.weight, e.start))
    return InjectionScore(round(sum(e.weight for e in found), 2), tuple(found))
