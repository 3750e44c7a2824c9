# Installs the claude-bedrock credential helper on Windows from the organisation's GitHub Release, with
# no AWS credentials: downloads claude-bedrock-<stage>-win-x64.exe and SHA256SUMS (with the developer's own
# `gh` login, or plain HTTPS from CLAUDE_BEDROCK_BASE_URL), refuses anything whose SHA-256 does not match,
# installs to %LOCALAPPDATA%\Programs\claude-bedrock (added to the user's PATH) and runs `claude-bedrock setup`.
#
#   powershell -ExecutionPolicy Bypass -File install.ps1 -Repo <owner/name> [-Stage prod] [-Tag helper-vX.Y.Z] [-Dir <dir>] [-NoSetup]
#
# Environment (same meaning as the parameters): CLAUDE_BEDROCK_REPO, CLAUDE_BEDROCK_STAGE, CLAUDE_BEDROCK_TAG,
# CLAUDE_BEDROCK_INSTALL_DIR, CLAUDE_BEDROCK_BASE_URL.
[CmdletBinding()]
param(
  [string]$Repo = $env:CLAUDE_BEDROCK_REPO,
  [string]$Stage = $(if ($env:CLAUDE_BEDROCK_STAGE) { $env:CLAUDE_BEDROCK_STAGE } else { 'prod' }),
  [string]$Tag = $env:CLAUDE_BEDROCK_TAG,
  [string]$Dir = $(if ($env:CLAUDE_BEDROCK_INSTALL_DIR) { $env:CLAUDE_BEDROCK_INSTALL_DIR } else { Join-Path $env:LOCALAPPDATA 'Programs\claude-bedrock' }),
  [string]$BaseUrl = $env:CLAUDE_BEDROCK_BASE_URL,
  [switch]$NoSetup
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Fail([string]$Message) {
  [Console]::Error.WriteLine("claude-bedrock install: $Message")
  exit 1
}

if ($Stage -notmatch '^[a-z0-9-]+$') { Fail "stage '$Stage' is not a stage name (pilot, prod)" }
$arch = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString()
if ($arch -ne 'X64' -and $arch -ne 'Arm64') { Fail "no executable for the $arch processor; install the npm package instead" }
# Windows on Arm runs the x64 executable under emulation.
$asset = "claude-bedrock-$Stage-win-x64.exe"

$work = Join-Path ([System.IO.Path]::GetTempPath()) ("claude-bedrock-install-" + [System.Guid]::NewGuid().ToString('N'))
New-Item -ItemType Directory -Path $work | Out-Null
try {
  function Get-Asset([string]$Name) {
    $out = Join-Path $work $Name
    if ($BaseUrl) {
      $url = $BaseUrl.TrimEnd('/') + '/' + $Name
      try {
        Invoke-WebRequest -UseBasicParsing -Uri $url -OutFile $out
      } catch {
        Fail "could not download $Name from $url (is it attached to the release?)"
      }
    } else {
      if (-not $Repo) { Fail 'no repository: pass -Repo <owner/name> (or set CLAUDE_BEDROCK_REPO), or CLAUDE_BEDROCK_BASE_URL' }
      if (-not (Get-Command gh -ErrorAction SilentlyContinue)) { Fail 'the GitHub CLI (gh) is not installed: install it (winget install GitHub.cli) and run `gh auth login`, or set CLAUDE_BEDROCK_BASE_URL' }
      $ghArgs = @('release', 'download')
      if ($Tag) { $ghArgs += $Tag }
      $ghArgs += @('--repo', $Repo, '--pattern', $Name, '--dir', $work, '--clobber')
      & gh @ghArgs
      $which = if ($Tag) { $Tag } else { 'latest' }
      if ($LASTEXITCODE -ne 0) { Fail "could not download $Name from the $which release of $Repo (check ``gh auth status`` and that the release has $Name)" }
      if (-not (Test-Path -LiteralPath $out)) { Fail "the $which release of $Repo has no $Name" }
    }
    return $out
  }

  $sums = Get-Asset 'SHA256SUMS'
  $file = Get-Asset $asset

  $expected = $null
  foreach ($line in Get-Content -LiteralPath $sums) {
    if ($line -match '^([0-9a-f]{64}) [ *](.+)$' -and $Matches[2] -eq $asset) { $expected = $Matches[1]; break }
  }
  if (-not $expected) { Fail "SHA256SUMS does not list ${asset}: refusing to install an unverified file" }
  $actual = (Get-FileHash -Algorithm SHA256 -LiteralPath $file).Hash.ToLowerInvariant()
  if ($actual -ne $expected) { Fail "checksum mismatch for $asset (expected $expected, got $actual): nothing installed; download again or ask the platform team" }

  New-Item -ItemType Directory -Force -Path $Dir | Out-Null
  $target = Join-Path $Dir 'claude-bedrock.exe'
  Copy-Item -LiteralPath $file -Destination "$target.new" -Force
  Move-Item -LiteralPath "$target.new" -Destination $target -Force
  Write-Output "Installed $asset (sha256 $actual) to $target"

  # The user's PATH (not the machine's): no administrator rights needed.
  $userPath = [Environment]::GetEnvironmentVariable('Path', 'User')
  if (-not (($userPath -split ';') -contains $Dir)) {
    [Environment]::SetEnvironmentVariable('Path', (@($userPath, $Dir) | Where-Object { $_ }) -join ';', 'User')
    Write-Output "Added $Dir to your PATH (open a new terminal to use it)."
  }
  $env:Path = "$Dir;$env:Path"
} finally {
  Remove-Item -Recurse -Force -LiteralPath $work -ErrorAction SilentlyContinue
}

if (-not $NoSetup) {
  & $target setup
  exit $LASTEXITCODE
}
