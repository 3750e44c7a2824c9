#!/bin/sh
# Installs the claude-bedrock credential helper from the organisation's GitHub Release, with no AWS
# credentials: downloads this machine's single-file executable and SHA256SUMS (with the developer's own
# `gh` login, or plain HTTPS from CLAUDE_BEDROCK_BASE_URL), refuses anything whose SHA-256 does not match,
# installs to ~/.local/bin and runs `claude-bedrock setup`.
#
#   sh install.sh --repo <owner/name> [--stage prod] [--tag helper-vX.Y.Z] [--dir ~/.local/bin] [--no-setup]
#
# Environment (same meaning as the options): CLAUDE_BEDROCK_REPO, CLAUDE_BEDROCK_STAGE, CLAUDE_BEDROCK_TAG,
# CLAUDE_BEDROCK_INSTALL_DIR; CLAUDE_BEDROCK_BASE_URL downloads <base>/<asset> with curl or wget instead of
# `gh` (a mirror of the release, or a local server in tests).
set -eu

repo="${CLAUDE_BEDROCK_REPO:-}"
stage="${CLAUDE_BEDROCK_STAGE:-prod}"
tag="${CLAUDE_BEDROCK_TAG:-}"
dir="${CLAUDE_BEDROCK_INSTALL_DIR:-${HOME}/.local/bin}"
base="${CLAUDE_BEDROCK_BASE_URL:-}"
run_setup=1

die() { printf 'claude-bedrock install: %s\n' "$*" >&2; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --repo) [ $# -ge 2 ] || die "--repo needs owner/name"; repo="$2"; shift 2 ;;
    --stage) [ $# -ge 2 ] || die "--stage needs a stage name (pilot or prod)"; stage="$2"; shift 2 ;;
    --tag) [ $# -ge 2 ] || die "--tag needs a release tag (helper-vX.Y.Z)"; tag="$2"; shift 2 ;;
    --dir) [ $# -ge 2 ] || die "--dir needs a directory"; dir="$2"; shift 2 ;;
    --no-setup) run_setup=0; shift ;;
    -h|--help) sed -n '2,12p' "$0" 2>/dev/null || true; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done

case "${stage}" in *[!a-z0-9-]*|'') die "stage '${stage}' is not a stage name (pilot, prod)";; esac

os="$(uname -s)"; arch="$(uname -m)"
case "${os}" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) die "no executable for ${os}; on Windows run install.ps1, elsewhere install the npm package" ;;
esac
case "${arch}" in
  x86_64|amd64) arch=x64 ;;
  arm64|aarch64) arch=arm64 ;;
  *) die "no executable for the ${arch} processor; install the npm package instead" ;;
esac
[ "${os}-${arch}" != "linux-arm64" ] || die "no executable for linux-arm64; install the npm package instead"
asset="claude-bedrock-${stage}-${os}-${arch}"

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then shasum -a 256 "$1" | cut -d' ' -f1
  else die "neither sha256sum nor shasum is installed: cannot verify the download"
  fi
}

work="$(mktemp -d "${TMPDIR:-/tmp}/claude-bedrock-install.XXXXXX")"
trap 'rm -rf "${work}"' EXIT INT TERM

fetch() { # fetch <asset>: into ${work}/<asset>
  if [ -n "${base}" ]; then
    url="${base%/}/$1"
    if command -v curl >/dev/null 2>&1; then
      curl -fsSL --proto '=https,http' -o "${work}/$1" "${url}" || die "could not download $1 from ${url} (is it attached to the release?)"
    elif command -v wget >/dev/null 2>&1; then
      wget -q -O "${work}/$1" "${url}" || die "could not download $1 from ${url} (is it attached to the release?)"
    else
      die "CLAUDE_BEDROCK_BASE_URL needs curl or wget"
    fi
  else
    [ -n "${repo}" ] || die "no repository: pass --repo <owner/name> (or set CLAUDE_BEDROCK_REPO), or CLAUDE_BEDROCK_BASE_URL"
    command -v gh >/dev/null 2>&1 || die "the GitHub CLI (gh) is not installed: install it and run \`gh auth login\`, or set CLAUDE_BEDROCK_BASE_URL"
    # shellcheck disable=SC2086 # ${tag} is empty (latest release) or one word
    gh release download ${tag} --repo "${repo}" --pattern "$1" --dir "${work}" --clobber \
      || die "could not download $1 from the ${tag:-latest} release of ${repo} (check \`gh auth status\` and that the release has $1)"
    [ -f "${work}/$1" ] || die "the ${tag:-latest} release of ${repo} has no $1"
  fi
}

fetch SHA256SUMS
fetch "${asset}"

expected="$(awk -v f="${asset}" '$2 == f || $2 == "*" f { print $1; exit }' "${work}/SHA256SUMS")"
[ -n "${expected}" ] || die "SHA256SUMS does not list ${asset}: refusing to install an unverified file"
actual="$(sha256_of "${work}/${asset}")"
[ "${actual}" = "${expected}" ] || die "checksum mismatch for ${asset} (expected ${expected}, got ${actual}): nothing installed; download again or ask the platform team"

mkdir -p "${dir}"
chmod 755 "${work}/${asset}"
# Move into place through a temporary name in the target directory, so a running helper is never half-written.
cp "${work}/${asset}" "${dir}/.claude-bedrock.new"
mv -f "${dir}/.claude-bedrock.new" "${dir}/claude-bedrock"
printf 'Installed %s (sha256 %s) to %s/claude-bedrock\n' "${asset}" "${actual}" "${dir}"

case ":${PATH}:" in
  *":${dir}:"*) ;;
  *) printf 'Add %s to your PATH (e.g. in ~/.profile: export PATH="%s:$PATH").\n' "${dir}" "${dir}" ;;
esac

rm -rf "${work}"; trap - EXIT INT TERM # exec replaces this shell: its EXIT trap would never run
if [ "${run_setup}" = 1 ]; then
  exec "${dir}/claude-bedrock" setup
fi
