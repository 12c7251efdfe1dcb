#!/usr/bin/env bash
# Developer bootstrap for the MCP workspace.
set -euo pipefail

curl -LsSf https://astral.sh/uv/install.sh | sh  # expect: supply-chain-pipe-to-shell
wget -qO- https://deb.nodesource.com/setup_20.x | sudo -E bash -  # expect: supply-chain-pipe-to-shell
bash <(curl -fsSL https://raw.githubusercontent.com/acme/dotfiles/main/setup.sh)  # expect: supply-chain-pipe-to-shell

# Verified download: fetched to a file and checked before it runs.
curl -fsSLo /tmp/just-install.sh https://just.systems/install.sh  # ok: supply-chain-pipe-to-shell
echo "9b4c1d2e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c  /tmp/just-install.sh" | sha256sum -c -
bash /tmp/just-install.sh --to ~/.local/bin

curl -s https://api.github.com/repos/acme/notes-mcp/releases/latest | python3 -m json.tool  # ok: supply-chain-pipe-to-shell
curl -s https://api.github.com/repos/acme/notes-mcp/releases/latest | jq -r .tag_name  # ok: supply-chain-pipe-to-shell

pip install --trusted-host pypi.acme-corp.net --index-url https://pypi.acme-corp.net/simple acme-notes  # expect: supply-chain-pip-trusted-host
pip install --index-url https://pypi.acme-corp.net/simple acme-notes==2.3.1  # ok: supply-chain-pip-trusted-host, supply-chain-plain-http-source
pip install --trusted-host localhost --index-url http://localhost:3141/root/dev/+simple/ acme-notes  # ok: supply-chain-pip-trusted-host, supply-chain-plain-http-source
pip install --proxy http://proxy.acme-corp.net:3128 acme-notes==2.3.1  # ok: supply-chain-plain-http-source
npm config set registry http://npm.acme-corp.net/  # expect: supply-chain-plain-http-source
pip install "git+https://github.com/acme/notes-mcp.git@main"  # expect: supply-chain-unpinned-git-url
pip install "git+https://github.com/acme/notes-mcp.git@4d2c9a1e7b3f5d8c0a6e2b9f1c4d7a3e5b8f0c2d"  # ok: supply-chain-unpinned-git-url
