#!/usr/bin/env bash
# Installs kvscan for the GitHub Action (action.yml), in two calls around actions/cache:
#
#   install.sh resolve   decide what to install: the release binary for this runner's OS and
#                        architecture when the release has one, else a build of the action's own
#                        source; prints the install directory and the cache key to $GITHUB_OUTPUT
#   install.sh install   install it there unless the cache restored it, and add it to $GITHUB_PATH
#
# Release assets (made by .github/workflows/release.yml): kvscan-<target>.tar.gz (.zip on
# Windows) and kvscan-<target>.tar.gz.sha256. A checksum mismatch is an error, never a fallback.
# tests/action_local.rs runs both calls against a loopback server with a fake GITHUB_* environment.
# Portable to bash 3.2 (macOS) and Git Bash (Windows).
set -euo pipefail

say() { echo "kvscan install: $*"; }
notice() { echo "::notice title=kvscan install::$*"; }
warning() { echo "::warning title=kvscan install::$*"; }
die() {
  echo "::error title=kvscan install::$*"
  exit 1
}

write_output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  else
    printf 'output %s=%s\n' "$1" "$2"
  fi
}

# shellcheck disable=SC1003 # tr gets the two characters \\ : one escaped backslash
slashes() { printf '%s' "$1" | tr '\\' /; }

sha256_stdin() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum | awk '{print $1}'; else shasum -a 256 | awk '{print $1}'; fi
}
sha256_file() { sha256_stdin <"$1"; }

runner_os() { printf '%s' "${RUNNER_OS:-$(uname -s)}"; }
runner_arch() { printf '%s' "${RUNNER_ARCH:-$(uname -m)}"; }

# The Rust target of the release binary for this runner, empty when the release has none.
target_triple() {
  case "$(runner_os)/$(runner_arch)" in
    Linux/X64 | Linux/x86_64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64 | Linux/aarch64 | Linux/arm64) echo aarch64-unknown-linux-musl ;;
    macOS/X64 | Darwin/x86_64) echo x86_64-apple-darwin ;;
    macOS/ARM64 | Darwin/arm64) echo aarch64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) echo "" ;;
  esac
}

asset_name() {
  case "$1" in
    *-windows-*) echo "kvscan-$1.zip" ;;
    *) echo "kvscan-$1.tar.gz" ;;
  esac
}

exe_suffix() { if [ "$(runner_os)" = Windows ]; then echo .exe; fi; }

# owner/name of the action's repository. github.action_repository is not promised inside
# composite actions, so fall back to the runner's download path (_actions/OWNER/NAME/REF), then to
# the workflow's own repository when the action is used as `uses: ./`.
action_repository() {
  if [ -n "${ACTION_REPOSITORY:-}" ]; then
    echo "$ACTION_REPOSITORY"
    return
  fi
  local path rest owner
  path="$(slashes "${ACTION_PATH:-}")"
  case "$path" in
    */_actions/*/*/*)
      rest="${path#*/_actions/}"
      owner="${rest%%/*}"
      rest="${rest#*/}"
      echo "$owner/${rest%%/*}"
      return
      ;;
  esac
  if [ -n "${GITHUB_REPOSITORY:-}" ] && [ "${path%/}" = "$(slashes "${GITHUB_WORKSPACE:-}")" ]; then
    echo "$GITHUB_REPOSITORY"
    return
  fi
  echo kvscan/kvscan
}

# GET on the GitHub REST API; the token goes to the API host only.
api() {
  local auth=()
  if [ -n "${GH_TOKEN:-}" ]; then auth=(-H "Authorization: Bearer $GH_TOKEN"); fi
  curl -fsSL --retry 3 --connect-timeout 20 -H "Accept: application/vnd.github+json" \
    ${auth[@]+"${auth[@]}"} "${GITHUB_API_URL:-https://api.github.com}/$1"
}

# A hash of everything that goes into a source build, for the cache key.
source_hash() {
  (
    cd "$ACTION_PATH"
    find Cargo.toml Cargo.lock build.rs src policies -type f 2>/dev/null | LC_ALL=C sort | while IFS= read -r file; do
      printf '%s %s\n' "$(sha256_file "$file")" "$file"
    done
  ) | sha256_stdin
}

resolve() {
  [ -n "${ACTION_PATH:-}" ] || die "ACTION_PATH is not set (the action passes github.action_path)"
  command -v curl >/dev/null 2>&1 || die "curl is required"
  command -v jq >/dev/null 2>&1 || die "jq is required (it is on every GitHub-hosted runner)"
  local version repo target asset tag="" method=source release="" key dir root
  version="${INPUT_VERSION:-latest}"
  repo="$(action_repository)"
  target="$(target_triple)"
  asset="$(if [ -n "$target" ]; then asset_name "$target"; fi)"

  case "$version" in
    source) say "version: source: building kvscan from the action's source" ;;
    latest | '')
      if release="$(api "repos/$repo/releases/latest" 2>/dev/null)"; then
        tag="$(printf '%s' "$release" | jq -r '.tag_name // empty')"
      fi
      [ -n "$tag" ] || notice "no release of $repo found: building kvscan from the action's source (cached afterwards)"
      ;;
    *)
      tag="v${version#v}"
      release="$(api "repos/$repo/releases/tags/$tag" 2>/dev/null)" || release=""
      [ -n "$release" ] || warning "release $tag of $repo not found: building kvscan from the action's source instead"
      ;;
  esac

  if [ -n "$release" ] && [ -n "$tag" ]; then
    if [ -z "$target" ]; then
      notice "kvscan releases have no binary for $(runner_os)/$(runner_arch): building from the action's source"
    elif printf '%s' "$release" | jq -e --arg a "$asset" \
      '[.assets[]?.name] | (index($a) != null) and (index($a + ".sha256") != null)' >/dev/null; then
      method=release
    else
      warning "release $tag of $repo has no $asset with its .sha256: building kvscan from the action's source instead"
    fi
  fi

  root="$(slashes "${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-${TMPDIR:-/tmp}}}")/kvscan"
  if [ "$method" = release ]; then
    key="kvscan-bin-$tag-$target"
    dir="$root/$tag/$target"
  else
    [ -f "$ACTION_PATH/Cargo.toml" ] || die "no release binary to install and no kvscan source at $ACTION_PATH"
    local hash
    hash="$(source_hash)"
    key="kvscan-src-$(runner_os)-$(runner_arch)-${hash:0:24}"
    dir="$root/source-${hash:0:12}/$(runner_os)-$(runner_arch)"
  fi
  say "repository $repo, method $method${tag:+, release $tag}${target:+, target $target}"
  write_output method "$method"
  write_output repository "$repo"
  write_output tag "$tag"
  write_output target "$target"
  write_output dir "$dir"
  write_output cache-key "$key"
}

# TARGET, TAG and REPOSITORY: the outputs of `resolve`, passed in the env by action.yml.
install_release() {
  local dir="$1" bin="$2" asset tmp base expected actual found
  # shellcheck disable=SC2153 # TARGET is the env input, target is resolve's local
  asset="$(asset_name "$TARGET")"
  tmp="$(mktemp -d)"
  base="${GITHUB_SERVER_URL:-https://github.com}/$REPOSITORY/releases/download/$TAG"
  say "downloading $base/$asset"
  curl -fsSL --retry 3 --connect-timeout 20 -o "$tmp/$asset" "$base/$asset" || die "download of $base/$asset failed"
  curl -fsSL --retry 3 --connect-timeout 20 -o "$tmp/$asset.sha256" "$base/$asset.sha256" ||
    die "download of $base/$asset.sha256 failed"
  expected="$(awk '{print tolower($1); exit}' "$tmp/$asset.sha256")"
  actual="$(sha256_file "$tmp/$asset")"
  if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
    die "checksum mismatch for $asset: expected '$expected', got '$actual'; not installing"
  fi
  mkdir -p "$tmp/x"
  case "$asset" in
    *.zip)
      if command -v unzip >/dev/null 2>&1; then
        unzip -q "$tmp/$asset" -d "$tmp/x"
      else
        7z x -y -o"$tmp/x" "$tmp/$asset" >/dev/null
      fi
      ;;
    *) tar -xzf "$tmp/$asset" -C "$tmp/x" ;;
  esac
  found="$(find "$tmp/x" -maxdepth 2 -type f -name "kvscan$(exe_suffix)" | head -n 1)"
  [ -n "$found" ] || die "$asset holds no kvscan$(exe_suffix)"
  mkdir -p "$dir/bin"
  cp "$found" "$bin"
  chmod +x "$bin"
  rm -rf "$tmp"
}

install_source() {
  local dir="$1"
  command -v cargo >/dev/null 2>&1 ||
    die "there is no kvscan release binary for this runner and cargo is not installed: add a Rust toolchain (e.g. dtolnay/rust-toolchain@stable) before this step"
  say "building kvscan from $ACTION_PATH (cargo install --locked; the result is cached)"
  cargo install --locked --force --path "$ACTION_PATH" --root "$dir"
}

install() {
  local dir bin
  [ -n "${DIR:-}" ] || die "DIR is not set (the output 'dir' of 'install.sh resolve')"
  dir="$(slashes "$DIR")"
  bin="$dir/bin/kvscan$(exe_suffix)"
  if [ -f "$bin" ] && "$bin" --version >/dev/null 2>&1; then
    say "using $bin (already installed, or restored from the cache)"
  elif [ "${METHOD:-}" = release ]; then
    install_release "$dir" "$bin"
  else
    install_source "$dir"
  fi
  [ -f "$bin" ] || die "installation left no $bin"
  local version
  version="$("$bin" --version)" || die "$bin does not run"
  say "$version"
  if [ -n "${GITHUB_PATH:-}" ]; then echo "$dir/bin" >>"$GITHUB_PATH"; fi
  write_output path "$bin"
  write_output version "$version"
}

case "${1:-}" in
  resolve) resolve ;;
  install) install ;;
  *)
    echo "usage: install.sh resolve|install" >&2
    exit 2
    ;;
esac
