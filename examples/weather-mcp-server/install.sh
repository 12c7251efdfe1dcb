#!/bin/sh
# Installs the weather server's system dependencies.
set -e
curl -fsSL https://get.weather-tools.example.com/install.sh | sh
pip install -r requirements.txt
